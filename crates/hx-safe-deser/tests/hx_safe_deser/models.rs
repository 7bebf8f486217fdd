//! Model files as PyTorch and NumPy lay them out (built by
//! `tests/interop/model_files.py` with the standard library alone): each is
//! recognised, every pickle inside is scanned, benign files pass under
//! their format's profile and every planted `posix.system` is found.

use std::collections::BTreeSet;
use std::io::Cursor;

use hx_safe_deser::Error;
use hx_safe_deser::pickle::{ArchiveLimits, Format, LoadOptions, Verdict, scan_model};
use hx_test_support::{python_command, run_checked, run_python, run_python_code};

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Pickle => "pickle",
        Format::TorchZip => "torch-zip",
        Format::TorchLegacy => "torch-legacy",
        Format::Npy => "npy",
        Format::Zip => "zip",
        _ => "other",
    }
}

/// The files `model_files.py` writes into a new directory, and what it says
/// each holds.
fn model_files() -> (tempfile::TempDir, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/model_files.py");
    let out = run_checked(python_command().arg(script).arg(dir.path()), b"");
    (dir, serde_json::from_slice(&out).unwrap())
}

#[test]
fn model_files_are_opened_and_every_pickle_inside_is_scanned() {
    let (dir, expect) = model_files();
    let expect = expect.as_object().unwrap();
    assert_eq!(expect.len(), 12);
    for (file, want) in expect {
        let data = std::fs::read(dir.path().join(file)).unwrap();
        let report = scan_model(
            Cursor::new(&data),
            &LoadOptions::default(),
            &ArchiveLimits::default(),
        )
        .unwrap();
        assert_eq!(format_name(report.format), want["format"], "{file}");
        assert_eq!(report.is_safe(), want["safe"], "{file}: {report:?}");
        assert!(report.problem.is_none(), "{file}: {:?}", report.problem);
        let names: Vec<&str> = report
            .members
            .iter()
            .filter_map(|m| m.name.as_deref())
            .collect();
        let want_names: Vec<&str> = want["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(names, want_names, "{file}");
        // Persistent ids are listed as calls into persistent_load: every
        // PyTorch pickle has them, allowed by the torch profile.
        let persistent: Vec<Verdict> = report
            .members
            .iter()
            .flat_map(|m| &m.report.globals)
            .filter(|f| f.module == "persistent_load")
            .map(|f| f.verdict)
            .collect();
        let torch = want["format"].as_str().unwrap().starts_with("torch");
        assert_eq!(
            persistent,
            if torch {
                vec![Verdict::Allowed]
            } else {
                vec![]
            },
            "{file}"
        );
        let found: BTreeSet<(String, String)> = report
            .members
            .iter()
            .flat_map(|m| &m.report.globals)
            .filter(|f| f.module != "persistent_load")
            .map(|f| (f.module.clone(), f.name.clone()))
            .collect();
        let want_globals: BTreeSet<(String, String)> = want["globals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g[0].as_str().unwrap().to_owned(),
                    g[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(found, want_globals, "{file}");
        // The planted call is dangerous wherever it hides.
        for m in &report.members {
            for f in &m.report.globals {
                if f.module == "posix" {
                    assert_eq!(f.verdict, Verdict::Dangerous, "{file}");
                }
            }
        }
    }
}

#[test]
fn archive_bounds_are_enforced() {
    let (dir, _) = model_files();
    let data = std::fs::read(dir.path().join("torch_zip_deflated.pt")).unwrap();
    let options = LoadOptions::default();
    for (limits, what) in [
        (
            ArchiveLimits {
                max_members: 3,
                ..ArchiveLimits::default()
            },
            "members",
        ),
        (
            ArchiveLimits {
                max_member_bytes: 10,
                ..ArchiveLimits::default()
            },
            "member limit",
        ),
        (
            ArchiveLimits {
                max_directory_bytes: 100,
                ..ArchiveLimits::default()
            },
            "directory",
        ),
    ] {
        let report = scan_model(Cursor::new(&data), &options, &limits).unwrap();
        assert!(!report.is_safe());
        assert!(
            matches!(&report.problem, Some(Error::Archive(why)) if why.contains(what)),
            "{what}: {:?}",
            report.problem
        );
    }
    // A deflate bomb: 64 MiB of zeros named data.pkl, over 1,000:1.
    let bomb = deflate_bomb();
    let report = scan_model(Cursor::new(&bomb), &options, &ArchiveLimits::default()).unwrap();
    assert!(
        matches!(&report.problem, Some(Error::Archive(why)) if why.contains("zip bomb")),
        "{:?}",
        report.problem
    );
    // A damaged member (one byte of the stored pickle changed): its CRC
    // fails and the archive is refused, not the command.
    let mut damaged = std::fs::read(dir.path().join("torch_zip.pt")).unwrap();
    let at = damaged
        .windows(11)
        .position(|w| w == b"collections")
        .unwrap();
    damaged[at] = b'k';
    let report = scan_model(Cursor::new(&damaged), &options, &ArchiveLimits::default()).unwrap();
    assert!(!report.is_safe(), "{report:?}");
    // Not a zip after all: a truncated archive.
    let cut = &data[..data.len() / 2];
    let report = scan_model(Cursor::new(cut), &options, &ArchiveLimits::default()).unwrap();
    assert!(!report.is_safe());
}

/// A zip with one deflated member of zeros: Python's zipfile writes it.
fn deflate_bomb() -> Vec<u8> {
    let code = "import io, sys, zipfile\n\
                b = io.BytesIO()\n\
                with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:\n\
                \x20   z.writestr('bomb/data.pkl', bytes(64 << 20))\n\
                sys.stdout.buffer.write(b.getvalue())\n";
    run_python_code(code, &[], b"")
}

/// Damage of every kind to every model file (each byte changed three ways,
/// every cut, ranges taken out of the middle so that offsets point past
/// the end): in memory there is nothing that can fail to read, so each
/// gives a report, never an error and never a panic.
#[test]
fn damaged_model_files_give_a_report_not_an_error() {
    let (dir, expect) = model_files();
    let options = LoadOptions::default();
    let limits = ArchiveLimits::default();
    let check = |data: &[u8], what: &dyn Fn() -> String| {
        if let Err(e) = scan_model(Cursor::new(data), &options, &limits) {
            panic!("{}: {e:?}", what());
        }
    };
    for file in expect.as_object().unwrap().keys() {
        let data = std::fs::read(dir.path().join(file)).unwrap();
        for at in 0..data.len() {
            for change in [0x01u8, 0x80, 0xff] {
                let mut damaged = data.clone();
                damaged[at] ^= change;
                check(&damaged, &|| format!("{file}: byte {at} ^ {change:#x}"));
            }
            check(&data[..at], &|| format!("{file}: cut at {at}"));
            for len in [1, 4, 30] {
                let mut damaged = data.clone();
                damaged.drain(at..(at + len).min(data.len()));
                check(&damaged, &|| format!("{file}: {len} bytes out at {at}"));
            }
        }
    }
}

/// Extra fields of every kind the zip reader parses, at every awkward
/// length (`tests/interop/zip_extra_fields.py`): the fuzzer found that an
/// extended timestamp field cut short came out of the zip reader as an I/O
/// error. Each archive gives a report, and one whose pickle calls
/// `posix.system` is never safe, however its header is dressed.
#[test]
fn extra_fields_of_every_kind_give_a_report() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/zip_extra_fields.py"
    );
    let cases: Vec<(String, bool)> = serde_json::from_slice(&run_python(script, &[], b"")).unwrap();
    assert_eq!(cases.len(), 11 * 11 * 3 * 2);
    let (mut refused, mut scanned) = (0, 0);
    for (i, (hex, evil)) in cases.iter().enumerate() {
        let data: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).unwrap())
            .collect();
        let report = scan_model(
            Cursor::new(&data),
            &LoadOptions::default(),
            &ArchiveLimits::default(),
        )
        .unwrap_or_else(|e| panic!("case {i}: {e:?}"));
        if *evil {
            assert!(!report.is_safe(), "case {i}: {report:?}");
        }
        match report.problem {
            Some(Error::Archive(_)) => refused += 1,
            None => scanned += 1,
            Some(other) => panic!("case {i}: {other:?}"),
        }
    }
    // Both outcomes occur: the test sees well-formed fields pass and cut
    // ones refused.
    assert!(
        refused > 0 && scanned > 0,
        "{refused} refused, {scanned} scanned"
    );
}
