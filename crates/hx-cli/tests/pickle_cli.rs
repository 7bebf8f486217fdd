//! `hx pickle scan` and `hx pickle load` against the contract: JSON output
//! form, verdicts, exit statuses (0 safe, 1 rejected, 2 usage or I/O).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::Output;

mod common;
use common::{code, hx};

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// pickle.dumps({'b': b'\x00\xff', 't': (1, 'x'), 's': {3}, 'n': 2**64,
/// 'f': 1.5, 'none': None}, protocol=2)
const PLAIN: &[u8] = b"\x80\x02}q\x00(X\x01\x00\x00\x00bq\x01c_codecs\nencode\nq\x02X\x03\x00\x00\x00\x00\xc3\xbfq\x03X\x06\x00\x00\x00latin1q\x04\x86q\x05Rq\x06X\x01\x00\x00\x00tq\x07K\x01X\x01\x00\x00\x00xq\x08\x86q\tX\x01\x00\x00\x00sq\nc__builtin__\nset\nq\x0b]q\x0cK\x03a\x85q\rRq\x0eX\x01\x00\x00\x00nq\x0f\x8a\t\x00\x00\x00\x00\x00\x00\x00\x00\x01X\x01\x00\x00\x00fq\x10G?\xf8\x00\x00\x00\x00\x00\x00X\x04\x00\x00\x00noneq\x11Nu.";
/// pickle.dumps(collections.OrderedDict([('a', 1)]), protocol=2)
const ORDERED: &[u8] =
    b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00aq\x02K\x01s.";
/// os.system through __reduce__, protocol 0.
const EVIL: &[u8] = b"cposix\nsystem\n(Vecho pwned\ntR.";

fn files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, data) in [
        ("plain.pkl", PLAIN),
        ("ordered.pkl", ORDERED),
        ("evil.pkl", EVIL),
        ("cut.pkl", &PLAIN[..40]),
    ] {
        std::fs::write(dir.path().join(name), data).unwrap();
    }
    dir
}

#[test]
fn load_prints_json_in_the_contract_form() {
    let dir = files();
    let o = hx(dir.path(), &["pickle", "load", "plain.pkl"], b"");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o),
        "{\"b\":{\"$bytes\":\"AP8=\"},\"t\":[1,\"x\"],\"s\":[3],\"n\":\"18446744073709551616\",\"f\":1.5,\"none\":null}\n"
    );
    // From standard input.
    let o = hx(dir.path(), &["pickle", "load", "-"], PLAIN);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(out(&o).starts_with("{\"b\""));
}

#[test]
fn load_refuses_what_is_not_allowed() {
    let dir = files();
    let o = hx(dir.path(), &["pickle", "load", "ordered.pkl"], b"");
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("collections.OrderedDict"), "{}", err(&o));
    let o = hx(
        dir.path(),
        &[
            "pickle",
            "load",
            "ordered.pkl",
            "--allow",
            "collections.OrderedDict",
        ],
        b"",
    );
    assert_eq!((code(&o), out(&o).as_str()), (0, "{\"a\":1}\n"));
    let o = hx(dir.path(), &["pickle", "load", "evil.pkl"], b"");
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).contains("posix.system") && out(&o).is_empty(),
        "{}",
        err(&o)
    );
    // Nothing without a safe constructor can be allowed: a usage error.
    let o = hx(
        dir.path(),
        &["pickle", "load", "evil.pkl", "--allow", "posix.system"],
        b"",
    );
    assert_eq!(code(&o), 2, "{}", err(&o));
    // Malformed, over the size limit, missing.
    assert_eq!(
        code(&hx(dir.path(), &["pickle", "load", "cut.pkl"], b"")),
        1
    );
    assert_eq!(
        code(&hx(
            dir.path(),
            &["pickle", "load", "plain.pkl", "--max-bytes", "100"],
            b""
        )),
        1
    );
    assert_eq!(
        code(&hx(dir.path(), &["pickle", "load", "missing.pkl"], b"")),
        2
    );
}

#[test]
fn scan_lists_globals_with_verdicts() {
    let dir = files();
    let o = hx(dir.path(), &["pickle", "scan", "plain.pkl"], b"");
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(
        out(&o),
        "plain.pkl: _codecs.encode allowed\nplain.pkl: __builtin__.set allowed\n"
    );
    let o = hx(dir.path(), &["pickle", "scan", "evil.pkl"], b"");
    assert_eq!(code(&o), 1);
    assert_eq!(out(&o), "evil.pkl: posix.system dangerous\n");
    let o = hx(dir.path(), &["pickle", "scan", "ordered.pkl"], b"");
    assert_eq!(
        (code(&o), out(&o).as_str()),
        (1, "ordered.pkl: collections.OrderedDict not-allowed\n")
    );
    let o = hx(
        dir.path(),
        &[
            "pickle",
            "scan",
            "--allow",
            "collections.OrderedDict",
            "ordered.pkl",
        ],
        b"",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    // Several files: one unsafe makes the exit status 1, every file is listed.
    let o = hx(
        dir.path(),
        &["pickle", "scan", "plain.pkl", "evil.pkl", "-"],
        EVIL,
    );
    assert_eq!(code(&o), 1);
    assert!(
        out(&o).contains("evil.pkl: posix.system dangerous")
            && out(&o).contains("-: posix.system dangerous")
    );
    // A malformed pickle cannot be vouched for.
    let o = hx(dir.path(), &["pickle", "scan", "cut.pkl"], b"");
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).contains("malformed") || err(&o).contains("ends"),
        "{}",
        err(&o)
    );
    assert_eq!(
        code(&hx(dir.path(), &["pickle", "scan", "missing.pkl"], b"")),
        2
    );
}
