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

#[test]
fn scan_output_cannot_be_forged_and_has_a_json_form() {
    let dir = files();
    // STACK_GLOBAL of "os" and a name holding a newline and a fake line.
    let forged = b"\x8c\x02os\x8c\x1esystem allowed\nf: builtins.set\x93.";
    let o = hx(dir.path(), &["pickle", "scan", "-"], forged);
    assert_eq!(code(&o), 1);
    assert_eq!(
        out(&o),
        "-: os.system allowed\\u{a}f: builtins.set dangerous\n"
    );
    // Direction overrides and backslashes are escaped too.
    let name = "sys\u{202e}tem\\".as_bytes();
    let mut bidi = b"\x8c\x05posix\x8c".to_vec();
    bidi.push(u8::try_from(name.len()).unwrap());
    bidi.extend_from_slice(name);
    bidi.extend_from_slice(b"\x93.");
    let o = hx(dir.path(), &["pickle", "scan", "-"], &bidi);
    assert!(
        out(&o).contains("posix.sys\\u{202e}tem\\u{5c} dangerous"),
        "{}",
        out(&o)
    );
    // --json: one object per file.
    let o = hx(
        dir.path(),
        &["pickle", "scan", "--json", "plain.pkl", "evil.pkl", "-"],
        forged,
    );
    assert_eq!(code(&o), 1);
    let lines: Vec<serde_json::Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["file"], "plain.pkl");
    assert_eq!(lines[0]["format"], "pickle");
    assert_eq!(lines[0]["safe"], true);
    assert_eq!(
        lines[0]["members"][0]["globals"][1]["module"],
        "__builtin__"
    );
    assert_eq!(lines[1]["safe"], false);
    assert_eq!(lines[1]["members"][0]["globals"][0]["verdict"], "dangerous");
    assert_eq!(
        lines[2]["members"][0]["globals"][0]["name"],
        "system allowed\nf: builtins.set"
    );
    assert!(lines[2]["problem"].is_null());
    assert!(lines[2]["members"][0]["problem"].is_null());
}

#[test]
fn malformed_pickles_fail_scan_and_load() {
    let dir = files();
    for data in [
        &b"\x94N."[..],
        b"Nb.",
        b"\x80\x04\x95\x0d\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93.",
    ] {
        let o = hx(dir.path(), &["pickle", "scan", "-"], data);
        assert_eq!(code(&o), 1, "{data:?}: {}", err(&o));
        assert!(err(&o).contains("malformed"), "{}", err(&o));
        let o = hx(dir.path(), &["pickle", "load", "-"], data);
        assert_eq!(code(&o), 1, "{data:?}");
        assert!(out(&o).is_empty());
    }
}

#[test]
fn load_output_is_bounded_and_any_depth_decodes() {
    let dir = files();
    let mut bomb = b"N".to_vec();
    for _ in 0..24 {
        bomb.extend_from_slice(b"2\x86");
    }
    bomb.push(b'.');
    let o = hx(dir.path(), &["pickle", "load", "-"], &bomb);
    assert_eq!(code(&o), 1);
    assert!(out(&o).is_empty());
    assert!(err(&o).contains("larger than the limit"), "{}", err(&o));
    let o = hx(
        dir.path(),
        &["pickle", "load", "--max-output", "100", "-"],
        b"N2\x862\x862\x86.",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let o = hx(
        dir.path(),
        &["pickle", "load", "--max-output", "10", "-"],
        b"N2\x862\x862\x86.",
    );
    assert_eq!(code(&o), 1);
    // 100,000 nested lists: no recursion follows the nesting.
    let depth = 100_000;
    let mut deep = vec![b']'; depth];
    deep.extend(std::iter::repeat_n(b'a', depth - 1));
    deep.push(b'.');
    let o = hx(
        dir.path(),
        &["pickle", "load", "--max-depth", "100000", "-"],
        &deep,
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(out(&o).len(), 2 * depth + 1);
    let o = hx(dir.path(), &["pickle", "load", "-"], &deep);
    assert_eq!(code(&o), 1);
    assert!(err(&o).contains("nesting deeper"), "{}", err(&o));
}

/// The model files of hx-safe-deser's tests, written by its Python script.
fn model_files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../hx-safe-deser/tests/interop/model_files.py"
    );
    hx_test_support::run_checked(
        hx_test_support::python_command()
            .arg(script)
            .arg(dir.path()),
        b"",
    );
    dir
}

#[test]
fn scan_opens_model_files_and_reports_per_member() {
    let dir = model_files();
    // Benign checkpoints and arrays pass under their format's profile.
    for file in [
        "torch_zip.pt",
        "torch_zip_deflated.pt",
        "torch_legacy.pt",
        "floats.npy",
        "objects.npy",
        "arrays.npz",
    ] {
        let o = hx(dir.path(), &["pickle", "scan", file], b"");
        assert_eq!(code(&o), 0, "{file}: {}{}", out(&o), err(&o));
    }
    let o = hx(dir.path(), &["pickle", "scan", "torch_zip.pt"], b"");
    assert!(
        out(&o)
            .contains("torch_zip.pt:torch_zip/data.pkl: torch._utils._rebuild_tensor_v2 allowed"),
        "{}",
        out(&o)
    );
    // The planted call is found, named with its member.
    for (file, line) in [
        (
            "torch_evil.pt",
            "torch_evil.pt:torch_evil/data.pkl: posix.system dangerous",
        ),
        (
            "torch_legacy_evil.pt",
            "torch_legacy_evil.pt: posix.system dangerous",
        ),
        ("evil.npy", "evil.npy: posix.system dangerous"),
        ("evil.npz", "evil.npz:evil.npy: posix.system dangerous"),
    ] {
        let o = hx(dir.path(), &["pickle", "scan", file], b"");
        assert_eq!(code(&o), 1, "{file}");
        assert!(out(&o).contains(line), "{file}: {}", out(&o));
    }
    // From standard input too (archives are spooled to a temporary file).
    let evil = std::fs::read(dir.path().join("torch_evil.pt")).unwrap();
    let o = hx(dir.path(), &["pickle", "scan", "--json", "-"], &evil);
    assert_eq!(code(&o), 1);
    let report: serde_json::Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert_eq!(report["format"], "PyTorch checkpoint (zip)");
    assert_eq!(report["members"][0]["member"], "torch_evil/data.pkl");
    // Without the profile, a plain pickle of torch globals is not allowed;
    // --profile torch allows them.
    let data = b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\nq\x00.";
    let o = hx(dir.path(), &["pickle", "scan", "-"], data);
    assert_eq!(code(&o), 1);
    let o = hx(
        dir.path(),
        &["pickle", "scan", "--profile", "torch", "-"],
        data,
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
}

#[test]
fn a_closed_output_pipe_ends_the_command_quietly() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    // Many distinct globals, so scan writes far more than a pipe holds.
    let mut data = Vec::new();
    for i in 0..4000 {
        data.extend_from_slice(format!("cmod{i}\nname{i}\n0").as_bytes());
    }
    data.extend_from_slice(b"N.");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("many.pkl"), &data).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hx"))
        .args(["pickle", "scan", "many.pkl"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(141), "{stderr}");
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn pickle_help_has_examples() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["scan", "load"] {
        let o = hx(dir.path(), &["pickle", command, "--help"], b"");
        assert_eq!(code(&o), 0);
        assert!(
            out(&o).contains("EXAMPLES:") && out(&o).contains(&format!("hx pickle {command}")),
            "{}",
            out(&o)
        );
    }
}
