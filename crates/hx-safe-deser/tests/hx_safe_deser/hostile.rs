//! Pickles made to split hx from CPython or to exhaust it: arguments that
//! cross a frame's end, memo and global floods, shared-reference bombs,
//! nesting deeper than any stack, and malformed programs the scanner must
//! call malformed.

use std::io::Read;

use hx_safe_deser::Error;
use hx_safe_deser::pickle::{self, LoadOptions, Verdict};

/// Reads one byte at a time, so that every buffer boundary is met.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some((&first, rest)) = self.0.split_first() else {
            return Ok(0);
        };
        if buf.is_empty() {
            return Ok(0);
        }
        buf[0] = first;
        self.0 = rest;
        Ok(1)
    }
}

fn frame(len: u64) -> Vec<u8> {
    let mut v = b"\x80\x04\x95".to_vec();
    v.extend_from_slice(&len.to_le_bytes());
    v
}

fn is_crossing(e: &Error) -> bool {
    matches!(e, Error::Pickle { reason, .. } if reason.contains("crosses the end of its frame"))
}

/// Every way the scanner can be handed `data`: in memory, and through a
/// reader one byte at a time.
fn scans(data: &[u8]) -> [pickle::Report; 2] {
    let options = LoadOptions::default();
    [
        pickle::scan(data, &options),
        pickle::scan_reader(Trickle(data), &options).unwrap(),
    ]
}

#[test]
fn an_argument_that_crosses_a_frame_end_is_malformed_for_load_and_scan() {
    // pickle.loads (the C unpickler holding the whole input) reads this as
    // posix.system; the C unpickler reading the frame from io.BytesIO drops
    // the frame's tail and reads another string; Python's _Unframer refuses.
    let inner = b"\x8c\x05posix\x94\x8c\x06system\x94\x93.";
    let cut = b"\x8c\x05posix\x94\x8c\x06sys".len() as u64;
    let mut data = frame(cut);
    data.extend_from_slice(inner);
    let err = pickle::load(&data, &LoadOptions::default()).unwrap_err();
    assert!(is_crossing(&err), "{err:?}");
    for report in scans(&data) {
        assert!(!report.is_safe());
        assert!(is_crossing(report.problem.as_ref().unwrap()), "{report:?}");
    }

    // A text line (GLOBAL's module) crossing the frame end.
    let inner = b"cposix\nsystem\n.";
    let mut data = frame(4);
    data.extend_from_slice(inner);
    assert!(is_crossing(
        &pickle::load(&data, &LoadOptions::default()).unwrap_err()
    ));
    for report in scans(&data) {
        assert!(is_crossing(report.problem.as_ref().unwrap()), "{report:?}");
        assert!(report.globals.is_empty());
    }

    // A counted length (the 8-byte argument of BINUNICODE8) crossing it.
    let mut data = frame(3);
    data.extend_from_slice(b"\x8d\x01\x00\x00\x00\x00\x00\x00\x00a.");
    assert!(is_crossing(
        &pickle::load(&data, &LoadOptions::default()).unwrap_err()
    ));

    // The opcode byte itself, at the very end of a frame, is fine: the
    // next frame (or unframed data) starts right after.
    let mut data = frame(2);
    data.extend_from_slice(b"K\x07.");
    assert_eq!(
        pickle::load_json(&data, &LoadOptions::default()).unwrap(),
        "7"
    );
    for report in scans(&data) {
        assert!(report.is_safe(), "{report:?}");
    }
}

#[test]
fn a_frame_inside_an_unfinished_frame_and_stop_inside_a_frame_are_malformed() {
    // FRAME 20 { FRAME 2 { K 1 } ... }
    let mut data = frame(20);
    data.push(0x95);
    data.extend_from_slice(&2u64.to_le_bytes());
    data.extend_from_slice(b"K\x01.");
    data.resize(data.len() + 20, b'N');
    let err = pickle::load(&data, &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(err, Error::Pickle { reason, .. } if reason.contains("FRAME before the end")),
        "{err:?}"
    );
    for report in scans(&data) {
        assert!(!report.is_safe());
    }
    // STOP with bytes of its frame left: the next pickle of a file would
    // start after the frame for CPython, right after STOP for a reader
    // that does not track frames.
    let mut data = frame(5);
    data.extend_from_slice(b"K\x01.cos\nsystem\n.");
    let err = pickle::load(&data, &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(err, Error::Pickle { reason, .. } if reason.contains("STOP before the end")),
        "{err:?}"
    );
    for report in scans(&data) {
        assert!(!report.is_safe());
    }
    // A frame longer than the input.
    let mut data = frame(1000);
    data.extend_from_slice(b"K\x01.");
    assert!(pickle::load(&data, &LoadOptions::default()).is_err());
    for report in scans(&data) {
        assert!(!report.is_safe());
    }
    // Python's own framing, several frames in a row, is accepted.
    let mut data = frame(2);
    data.extend_from_slice(b"]\x94");
    data.push(0x95);
    data.extend_from_slice(&3u64.to_le_bytes());
    data.extend_from_slice(b"K\x05a.");
    assert_eq!(
        pickle::load_json(&data, &LoadOptions::default()).unwrap(),
        "[5]"
    );
}

#[test]
fn malformed_programs_are_malformed_for_scan_too() {
    for (name, data) in [
        ("MEMOIZE on an empty stack", &b"\x94N."[..]),
        ("bare BUILD", b"Nb."),
        ("SETITEM without a dict", b"NNs."),
        ("APPEND without a list", b"Na."),
        ("DUP on an empty stack", b"2N."),
        ("odd DICT", b"(Nd."),
        ("odd SETITEMS", b"}(Nu."),
        ("OBJ without a class", b"(o."),
        ("APPENDS without a list", b"(Ne."),
    ] {
        for report in scans(data) {
            assert!(
                matches!(report.problem, Some(Error::Pickle { .. })),
                "{name}: {report:?}"
            );
            assert!(!report.is_safe(), "{name}");
        }
        assert!(
            pickle::load(data, &LoadOptions::default()).is_err(),
            "{name}"
        );
    }
}

/// An endless reader of `head`, then `unit` repeated until `len` bytes.
struct Flood {
    head: Vec<u8>,
    unit: Box<dyn FnMut(u64) -> Vec<u8>>,
    left: u64,
    pending: Vec<u8>,
    n: u64,
}

impl Read for Flood {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            if !self.head.is_empty() {
                self.pending = core::mem::take(&mut self.head);
            } else if self.left > 0 {
                while self.pending.len() < 1 << 16 && self.left > 0 {
                    let unit = (self.unit)(self.n);
                    self.n += 1;
                    self.left = self.left.saturating_sub(unit.len() as u64);
                    self.pending.extend_from_slice(&unit);
                }
            } else {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn scan_memory_stays_bounded_whatever_the_input() {
    // 32 MB of MEMOIZE (32 million memo entries, as a real pickle of that
    // many objects has): the first 2 Mi entries are tracked, the rest kept
    // as one bit each; the scan goes to the end.
    let memo_flood = Flood {
        head: b"N".to_vec(),
        unit: Box::new(|_| vec![0x94; 4096]),
        left: 32 << 20,
        pending: Vec::new(),
        n: 0,
    };
    let mut report = None;
    let info = allocation_counter::measure(|| {
        report = Some(pickle::scan_reader(memo_flood, &LoadOptions::default()).unwrap());
    });
    let report = report.unwrap();
    assert!(
        matches!(report.problem, Some(Error::Truncated)),
        "{:?}",
        report.problem
    );
    assert!(report.bytes > 32 << 20);
    assert!(info.bytes_max < 32 << 20, "peak {} bytes", info.bytes_max);

    // Memo indices out of sequence and far apart: capped before stored.
    let sparse_flood = Flood {
        head: b"N".to_vec(),
        unit: Box::new(|n| {
            let index = u32::try_from(n).unwrap().wrapping_mul(2_654_435_761) | 0x8000_0000;
            let mut op = vec![b'r'];
            op.extend_from_slice(&index.to_le_bytes());
            op
        }),
        left: 1 << 20,
        pending: Vec::new(),
        n: 0,
    };
    let report = pickle::scan_reader(sparse_flood, &LoadOptions::default()).unwrap();
    assert!(
        matches!(report.problem, Some(Error::MemoLimit { .. })),
        "{:?}",
        report.problem
    );

    // 16 MB of distinct globals: the list is capped.
    let globals_flood = Flood {
        head: Vec::new(),
        unit: Box::new(|n| format!("cmod{n}\nname{n}\n0").into_bytes()),
        left: 16 << 20,
        pending: Vec::new(),
        n: 0,
    };
    let mut report = None;
    let info = allocation_counter::measure(|| {
        report = Some(pickle::scan_reader(globals_flood, &LoadOptions::default()).unwrap());
    });
    let report = report.unwrap();
    assert!(
        matches!(report.problem, Some(Error::TooManyGlobals { .. })),
        "{:?}",
        report.problem
    );
    assert!(report.globals.len() <= 4096);
    assert!(
        report
            .globals
            .iter()
            .all(|f| f.verdict == Verdict::NotAllowed)
    );
    assert!(info.bytes_max < 24 << 20, "peak {} bytes", info.bytes_max);

    // A stack flood: pushes without end.
    let stack_flood = Flood {
        head: Vec::new(),
        unit: Box::new(|_| vec![b'N'; 4096]),
        left: 32 << 20,
        pending: Vec::new(),
        n: 0,
    };
    let mut report = None;
    let info = allocation_counter::measure(|| {
        report = Some(pickle::scan_reader(stack_flood, &LoadOptions::default()).unwrap());
    });
    assert!(matches!(
        report.unwrap().problem,
        Some(Error::SeqTooLong { .. })
    ));
    assert!(info.bytes_max < 24 << 20, "peak {} bytes", info.bytes_max);
}

#[test]
fn shared_references_count_against_the_output_limit() {
    // The 52-byte bomb: None, then "pair the top with itself" 24 times.
    let mut bomb = b"N".to_vec();
    for _ in 0..24 {
        bomb.extend_from_slice(b"2\x86");
    }
    bomb.push(b'.');
    assert_eq!(bomb.len(), 50);
    let options = LoadOptions::default();
    let mut result = None;
    let info = allocation_counter::measure(|| {
        result = Some(pickle::load_json(&bomb, &options));
    });
    assert!(matches!(
        result.unwrap(),
        Err(Error::OutputLimit { max }) if max == LoadOptions::DEFAULT_MAX_OUTPUT
    ));
    assert!(
        info.bytes_max < 2 * LoadOptions::DEFAULT_MAX_OUTPUT as u64,
        "peak {} bytes",
        info.bytes_max
    );
    assert!(matches!(
        pickle::load(&bomb, &options),
        Err(Error::OutputLimit { .. })
    ));
    // A shared list of shared and unshared things, expanded twice: the tree
    // holds two full copies (nothing moved out by the first).
    let shared = b"\x80\x02]\x94(\x8c\x01a\x94K\x01]\x94K\x02ah\x01h\x02e]\x94(h\x00h\x00e.";
    let json = r#"[["a",1,[2],"a",[2]],["a",1,[2],"a",[2]]]"#;
    assert_eq!(pickle::load(shared, &options).unwrap().to_json(), json);
    assert_eq!(pickle::load_json(shared, &options).unwrap(), json);
    // Under the limit the same sharing is expanded, as Python expands it.
    let mut small = b"N".to_vec();
    for _ in 0..3 {
        small.extend_from_slice(b"2\x86");
    }
    small.push(b'.');
    assert_eq!(
        pickle::load_json(&small, &options).unwrap(),
        "[[[null,null],[null,null]],[[null,null],[null,null]]]"
    );
}

#[test]
fn nesting_of_any_depth_decodes_on_a_one_mib_stack() {
    const DEPTH: usize = 200_000;
    // DEPTH empty lists, each appended into the one below.
    let mut data = vec![b']'; DEPTH];
    data.extend(std::iter::repeat_n(b'a', DEPTH - 1));
    data.push(b'.');
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let limits = hx_safe_deser::Limits {
                max_depth: DEPTH,
                max_bytes: 1 << 30,
                ..Default::default()
            };
            let options = LoadOptions::default().with_limits(limits);
            let json = pickle::load_json(&data, &options).unwrap();
            assert_eq!(json.len(), 2 * DEPTH);
            assert!(json.starts_with("[[[") && json.ends_with("]]]"));
            let report = pickle::scan(&data, &options);
            assert!(report.is_safe(), "{report:?}");
            // One level short of the data: refused, not overflowed.
            let limits = hx_safe_deser::Limits {
                max_depth: DEPTH - 1,
                ..limits
            };
            let options = LoadOptions::default().with_limits(limits);
            assert!(matches!(
                pickle::load_json(&data, &options),
                Err(Error::DepthLimit { .. })
            ));
            // The value tree, built, printed and dropped on the same stack.
            let shallow: Vec<u8> =
                [vec![b']'; 100_000], vec![b'a'; 99_999], b".".to_vec()].concat();
            let limits = hx_safe_deser::Limits {
                max_depth: 100_000,
                ..limits
            };
            let value =
                pickle::load(&shallow, &LoadOptions::default().with_limits(limits)).unwrap();
            assert_eq!(value.to_json().len(), 200_000);
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn dicts_and_sets_hold_what_python_holds() {
    let options = LoadOptions::default();
    for (data, json) in [
        // {1: 'a', 1.0: 'b', True: 'c'} by hand -> {1: 'c'}
        (
            &b"}(K\x01\x8c\x01aG?\xf0\x00\x00\x00\x00\x00\x00\x8c\x01b\x88\x8c\x01cu."[..],
            r#"{"$dict":[[1,"c"]]}"#,
        ),
        // {'k': 1, 'k': 2} -> {'k': 2}, order of first insertion.
        (
            b"}(\x8c\x01kK\x01\x8c\x01jK\x03\x8c\x01kK\x02u.",
            r#"{"k":2,"j":3}"#,
        ),
        // DICT opcode with repeats.
        (b"(\x8c\x01kK\x01\x8c\x01kK\x02d.", r#"{"k":2}"#),
        // A set of 1, True, 1.0, 2 -> {1, 2}
        (
            b"\x8f(K\x01\x88G?\xf0\x00\x00\x00\x00\x00\x00K\x02\x90.",
            "[1,2]",
        ),
        // frozenset of 'a', 'a' -> frozenset({'a'})
        (b"(\x8c\x01a\x8c\x01a\x91.", r#"["a"]"#),
        // Tuple keys compare element-wise: (1, 2) and (1.0, 2) are one.
        (
            b"}(K\x01K\x02\x86K\x07G?\xf0\x00\x00\x00\x00\x00\x00K\x02\x86K\x08u.",
            r#"{"$dict":[[[1,2],8]]}"#,
        ),
        // 0.0, -0.0 and False are one key.
        (
            b"}(G\x00\x00\x00\x00\x00\x00\x00\x00K\x01G\x80\x00\x00\x00\x00\x00\x00\x00K\x02\x89K\x03u.",
            r#"{"$dict":[[0.0,3]]}"#,
        ),
    ] {
        assert_eq!(pickle::load_json(data, &options).unwrap(), json);
        assert_eq!(pickle::load(data, &options).unwrap().to_json(), json);
    }
    // A big dict goes through the hash index: 100 distinct keys, then each
    // again as a float.
    let mut data = b"}(".to_vec();
    for i in 0..100u8 {
        data.extend_from_slice(&[b'K', i, b'K', 0]);
    }
    for i in 0..100u8 {
        data.push(b'G');
        data.extend_from_slice(&f64::from(i).to_be_bytes());
        data.extend_from_slice(&[b'K', 1]);
    }
    data.extend_from_slice(b"u.");
    let json = pickle::load_json(&data, &options).unwrap();
    let expect: Vec<String> = (0..100).map(|i| format!("[{i},1]")).collect();
    assert_eq!(json, format!(r#"{{"$dict":[{}]}}"#, expect.join(",")));
    // Unhashable keys are refused, as Python raises TypeError.
    for data in [&b"}(]K\x01u."[..], b"}(}K\x01u.", b"\x8f(]\x90."] {
        assert!(
            matches!(pickle::load(data, &options), Err(Error::Pickle { .. })),
            "{data:?}"
        );
    }
}

#[test]
fn newobj_is_new_not_a_call() {
    // cls.__new__(cls, *args): a set or bytearray comes out empty (their
    // __init__ fills them), a frozenset or bytes does not, a function is
    // not a class.
    let options = LoadOptions::default();
    for (data, json) in [
        (&b"\x80\x02cbuiltins\nset\n]K\x01a\x85\x81."[..], "[]"),
        (b"\x80\x02cbuiltins\nfrozenset\n]K\x01a\x85\x81.", "[1]"),
        (
            b"\x80\x02cbuiltins\nbytearray\nC\x02ab\x85\x81.",
            r#"{"$bytes":""}"#,
        ),
    ] {
        assert_eq!(pickle::load_json(data, &options).unwrap(), json);
    }
    assert!(matches!(
        pickle::load(
            b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00a\x85\x81.",
            &options
        ),
        Err(Error::Pickle { .. })
    ));
}
