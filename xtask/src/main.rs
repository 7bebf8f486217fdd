//! Maintainer tasks for hx. Run `cargo xtask help`.
//!
//! Every step echoes the command it runs; `ci` runs all of its steps even
//! when one fails, prints a summary and exits non-zero if any failed.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

mod peer;
mod tidy;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  ci          fmt --check, clippy per package, tests, constant-time check, 15 s of each
              pickle fuzz target, docs, bench build (what CI runs)
  bench       run the criterion benches (all, or: cargo xtask bench <crate> [filter])
  peer-env    create the Python environment the interop tests use (target/peer-venv)
  audit       cargo deny: licenses, bans, sources, and RustSec advisories (installs cargo-deny if missing)
  tidy        repository rules: workspace lints, forbid(unsafe_code), README examples, no unwrap/expect
  ct          constant-time check: secret-dependent operations under valgrind memcheck
              with their secrets marked undefined (needs valgrind; also a ci step)
  timing      dudect statistics (10^6 measurements each) for ct_eq and token open; not a
              CI gate (noisy machines): max |t| < 10 expected, the `==` control > 100
  pickle-diff differential test of the pickle scanner and loader against CPython:
              cargo xtask pickle-diff [--cases N] [--seed S] (default 1,000,000 cases, seed 1;
              release build; ci runs a 20,000-case slice)
  fuzz        run the cargo-fuzz targets: cargo xtask fuzz [--seconds N] [TARGET...]
              (installs cargo-fuzz if missing; RUSTC_BOOTSTRAP=1 on the stable toolchain)
  help        this text
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("ci") => ci(&root),
        Some("bench") => bench(&root, args.get(1..).unwrap_or_default()),
        Some("peer-env") => match peer::ensure(&root) {
            Ok(python) => {
                println!("peer python: {}", python.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("xtask: {e}");
                ExitCode::FAILURE
            }
        },
        Some("fuzz") => fuzz(&root, args.get(1..).unwrap_or_default()),
        Some("pickle-diff") => pickle_diff(&root, args.get(1..).unwrap_or_default()),
        Some("audit") => audit(&root),
        Some("timing") => timing(&root),
        Some("ct") => {
            if ct(&root).ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some("tidy") => {
            let problems = tidy::check(&root);
            for p in &problems {
                eprintln!("{p}");
            }
            if problems.is_empty() {
                println!("tidy: every crate follows the rules");
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some("help" | "-h" | "--help") | None => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("xtask: unknown task {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `cargo xtask pickle-diff [--cases N] [--seed S]`: the differential test
/// of `hx_safe_deser::pickle` against CPython's unpicklers, at any size.
fn pickle_diff(root: &Path, args: &[String]) -> ExitCode {
    let mut cases = "1000000".to_owned();
    let mut seed = "1".to_owned();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it.next().filter(|v| v.parse::<u64>().is_ok());
        match (arg.as_str(), value) {
            ("--cases", Some(v)) => v.clone_into(&mut cases),
            ("--seed", Some(v)) => v.clone_into(&mut seed),
            _ => {
                eprintln!(
                    "xtask pickle-diff: usage: cargo xtask pickle-diff [--cases N] [--seed S]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let python = match peer::ensure(root) {
        Ok(p) => p.display().to_string(),
        Err(e) => {
            eprintln!("xtask: peer environment: {e}");
            return ExitCode::FAILURE;
        }
    };
    let step = run(
        root,
        "pickle-diff",
        "cargo",
        &[
            "test",
            "--release",
            "--locked",
            "--package",
            "hx-safe-deser",
            "--test",
            "hx_safe_deser",
            "diff::pickle_diff_long",
            "--",
            "--ignored",
            "--nocapture",
        ],
        &[
            ("HX_PYTHON", python),
            ("HX_PICKLE_DIFF_CASES", cases),
            ("HX_PICKLE_DIFF_SEED", seed),
        ],
    );
    if step.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The workspace's packages, for per-package clippy runs.
fn packages(root: &Path) -> Vec<String> {
    let mut names = vec!["xtask".to_owned()];
    if let Ok(entries) = std::fs::read_dir(root.join("crates")) {
        let mut crates: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join("Cargo.toml").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        crates.sort();
        names.extend(crates);
    }
    names
}

struct Step {
    name: String,
    ok: bool,
    secs: f64,
}

/// The shape of the crate graph: hx-sign and hx-kex independent of each
/// other (both read keys through hx-keys), and `hx` with only `random` and
/// `digest` (or `aead` without `ring`) linking no C cryptography library.
fn crate_graph(root: &Path) -> Step {
    let start = Instant::now();
    println!("\n==> crate graph");
    let tree = |args: &[&str]| -> Option<String> {
        let out = Command::new("cargo")
            .args(["tree", "--locked", "-e", "normal", "--prefix", "none"])
            .args(args)
            .current_dir(root)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let names = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split(' ').next())
            .map(str::to_owned)
            .collect()
    };
    let mut ok = true;
    for (package, forbidden) in [("hx-sign", "hx-kex"), ("hx-kex", "hx-sign")] {
        match tree(&["-p", package]) {
            Some(t) if names(&t).iter().any(|n| n == forbidden) => {
                println!("crate graph: {package} depends on {forbidden}");
                ok = false;
            }
            Some(_) => println!("crate graph: {package} does not depend on {forbidden}"),
            None => ok = false,
        }
    }
    let c_crypto = [
        "aws-lc-sys",
        "aws-lc-fips-sys",
        "aws-lc-rs",
        "ring",
        "openssl-sys",
    ];
    // `hx` with only these features links no C cryptography library: the
    // pure-Rust crates, and hx-aead without its `ring` backend.
    for features in [
        "random,digest",
        "random,digest,aead,serde",
        "random,digest,password",
    ] {
        match tree(&["-p", "hx", "--no-default-features", "--features", features]) {
            Some(t) => {
                let found: Vec<String> = names(&t)
                    .into_iter()
                    .filter(|n| c_crypto.contains(&n.as_str()))
                    .collect();
                if found.is_empty() {
                    println!("crate graph: hx with {features} links no C cryptography library");
                } else {
                    println!("crate graph: hx with {features} links {found:?}");
                    ok = false;
                }
            }
            None => ok = false,
        }
    }
    Step {
        name: "crate graph".into(),
        ok,
        secs: start.elapsed().as_secs_f64(),
    }
}

/// Cargo unpacks the packages it verifies into `$CARGO_HOME/registry/src/-HASH/`
/// and reuses what it finds there for the same version: a second run would
/// build the first run's sources. The unpacked hx packages go first.
fn forget_unpacked_packages() {
    let home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry").join("src")) else {
        return;
    };
    let Ok(registries) = std::fs::read_dir(src) else {
        return;
    };
    for registry in registries.filter_map(Result::ok) {
        // Local registries (the one `cargo package` builds) have no name.
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        if let Ok(packages) = std::fs::read_dir(registry.path()) {
            for package in packages.filter_map(Result::ok) {
                let name = package.file_name().to_string_lossy().into_owned();
                if name.starts_with("hx-") {
                    let _ = std::fs::remove_dir_all(package.path());
                }
            }
        }
    }
}

/// Every publishable crate packaged and built from its package (so a
/// release never finds a broken manifest or a file left out), each package
/// carrying both licence texts.
fn package(root: &Path) -> Step {
    let start = Instant::now();
    forget_unpacked_packages();
    // Publishable: every package whose manifest does not say otherwise.
    let publishable: Vec<String> = packages(root)
        .into_iter()
        .filter(|name| {
            let dir = if name == "xtask" {
                root.join("xtask")
            } else {
                root.join("crates").join(name)
            };
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|m| !m.contains("publish = false"))
        })
        .collect();
    let mut args = vec!["package", "--locked", "--allow-dirty"];
    for name in &publishable {
        args.extend(["-p", name.as_str()]);
    }
    let mut step = run(root, "package", "cargo", &args, &[]);
    for name in &publishable {
        let listed = Command::new("cargo")
            .args(["package", "--list", "--allow-dirty", "-p", name])
            .current_dir(root)
            .output();
        let files = listed
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
            if !files.lines().any(|l| l == licence) {
                println!("xtask package: {name} does not ship {licence}");
                step.ok = false;
            }
        }
    }
    step.secs = start.elapsed().as_secs_f64();
    step
}

fn run(root: &Path, name: &str, program: &str, args: &[&str], envs: &[(&str, String)]) -> Step {
    let shown_env: String = envs.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    println!(
        "\n==> {shown_env}{program} {}{}",
        args.join(" "),
        disk_free(root)
    );
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .status();
    let ok = match status {
        Ok(s) => s.success(),
        Err(e) => {
            eprintln!("xtask: could not start {program}: {e}");
            false
        }
    };
    Step {
        name: name.to_owned(),
        ok,
        secs: start.elapsed().as_secs_f64(),
    }
}

/// The space left on the disk that holds `root`, as ` (N GiB free)`, so
/// that a step that runs out of disk says so in the log (empty where `df`
/// cannot tell).
fn disk_free(root: &Path) -> String {
    let Ok(out) = Command::new("df").arg("-Pk").arg(root).output() else {
        return String::new();
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let available_kib = text
        .lines()
        .nth(1)
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|field| field.parse::<u64>().ok());
    match available_kib {
        Some(kib) => format!("  ({:.1} GiB free)", kib as f64 / (1024.0 * 1024.0)),
        None => String::new(),
    }
}

/// Removes a build tree no later step of `ci` uses (see `frugal` there).
fn remove_build_tree(dir: &Path) {
    if let Err(e) = std::fs::remove_dir_all(dir)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        eprintln!("xtask: could not remove {}: {e}", dir.display());
    }
}

/// Off Unix the test executables are not told apart by their mode: kept.
#[cfg(not(unix))]
fn remove_test_binaries(_root: &Path) {}

/// Removes the test executables of `target/debug/deps` (the largest files
/// of the debug tree) once the tests have run; the libraries stay, for the
/// documentation build.
#[cfg(unix)]
fn remove_test_binaries(root: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let deps = root.join("target").join("debug").join("deps");
    let Ok(entries) = std::fs::read_dir(&deps) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let executable = entry.metadata().is_ok_and(|m| {
            m.is_file() && m.permissions().mode() & 0o111 != 0 && path.extension().is_none()
        });
        if executable && let Err(e) = std::fs::remove_file(&path) {
            eprintln!("xtask: could not remove {}: {e}", path.display());
        }
    }
}

fn ci(root: &Path) -> ExitCode {
    let started = Instant::now();
    let mut steps = Vec::new();

    println!("==> peer environment (Python with cryptography) under target/peer-venv");
    let peer_start = Instant::now();
    let python = match peer::ensure(root) {
        Ok(p) => {
            steps.push(Step {
                name: "peer-env".into(),
                ok: true,
                secs: peer_start.elapsed().as_secs_f64(),
            });
            Some(p)
        }
        Err(e) => {
            eprintln!("xtask: peer environment: {e}");
            steps.push(Step {
                name: "peer-env".into(),
                ok: false,
                secs: peer_start.elapsed().as_secs_f64(),
            });
            None
        }
    };
    let test_env: Vec<(&str, String)> = python
        .map(|p| vec![("HX_PYTHON", p.display().to_string())])
        .unwrap_or_default();
    // On a CI machine (CI set, as CI services and .ci/run do) each build
    // tree goes once its steps are done, so that the disk holds about one at
    // a time (a CI machine with a small disk ran out); locally they stay,
    // for the next run. Clippy and rustdoc share their own tree (metadata
    // only), apart from the test build's.
    let frugal = env::var_os("CI").is_some();
    let check_dir = root.join("target").join("check");
    let check_dir_arg = check_dir.display().to_string();

    steps.push(run(root, "fmt", "cargo", &["fmt", "--all", "--check"], &[]));
    for helper in ["ct/Cargo.toml", "timing/Cargo.toml", "fuzz/Cargo.toml"] {
        steps.push(run(
            root,
            &format!("fmt {helper}"),
            "cargo",
            &["fmt", "--check", "--manifest-path", helper],
            &[],
        ));
    }
    for package in packages(root) {
        steps.push(run(
            root,
            &format!("clippy {package}"),
            "cargo",
            &[
                "clippy",
                "--package",
                &package,
                "--all-targets",
                "--all-features",
                "--locked",
                "--target-dir",
                &check_dir_arg,
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ));
    }
    steps.push(run(
        root,
        "doc",
        "cargo",
        &[
            "doc",
            "--workspace",
            "--no-deps",
            "--all-features",
            "--locked",
            "--target-dir",
            &check_dir_arg,
        ],
        &[("RUSTDOCFLAGS", "-D warnings".to_owned())],
    ));
    if frugal {
        remove_build_tree(&check_dir);
    }
    steps.push(run(
        root,
        "test",
        "cargo",
        &["test", "--workspace", "--all-features", "--locked"],
        &test_env,
    ));
    // hx-aead's portable backend (RustCrypto), which the default `ring`
    // feature replaces, must keep passing the same vectors and peers.
    steps.push(run(
        root,
        "test hx-aead portable backend",
        "cargo",
        &[
            "test",
            "--package",
            "hx-aead",
            "--no-default-features",
            "--locked",
        ],
        &test_env,
    ));
    if frugal {
        remove_test_binaries(root);
    }
    steps.push(ct(root));
    if frugal {
        remove_build_tree(&root.join("target").join("ct"));
    }
    // The pickle and text-key fuzz targets, briefly and from a fixed
    // libFuzzer seed, so that a run is the same exploration on every
    // machine (the long runs, from fresh seeds: cargo xtask fuzz).
    let fuzz_start = Instant::now();
    let ci_targets: Vec<String> = [
        "pickle_scan",
        "pickle_load",
        "pickle_model",
        "text_keys",
        "age_file",
        "password_hash",
    ]
    .map(str::to_owned)
    .to_vec();
    let fuzz_ok =
        ensure_cargo_tool(root, "fuzz") && fuzz_targets(root, &ci_targets, 15, Some(1)) == 0;
    if frugal {
        remove_build_tree(&root.join("fuzz").join("target"));
    }
    steps.push(Step {
        name: "fuzz pickle, text keys, age, password hashes (15 s each)".into(),
        ok: fuzz_ok,
        secs: fuzz_start.elapsed().as_secs_f64(),
    });
    steps.push(run(
        root,
        "bench build",
        "cargo",
        &["bench", "--workspace", "--no-run", "--locked"],
        &[],
    ));
    if frugal {
        remove_build_tree(&root.join("target").join("release"));
    }
    steps.push(package(root));
    steps.push(crate_graph(root));

    println!(
        "\n==> summary ({:.0} s){}",
        started.elapsed().as_secs_f64(),
        disk_free(root)
    );
    for step in &steps {
        println!(
            "  {:<6} {:<24} {:>7.1} s",
            if step.ok { "ok" } else { "FAILED" },
            step.name,
            step.secs
        );
    }
    let failed = steps.iter().filter(|s| !s.ok).count();
    if failed == 0 {
        println!("xtask ci: all {} steps passed", steps.len());
        ExitCode::SUCCESS
    } else {
        println!("xtask ci: {failed} of {} steps FAILED", steps.len());
        ExitCode::FAILURE
    }
}

/// Starts the lock file of the helper workspace `dir` (`ct`, `timing`) from
/// the main one, so that the crates they share resolve to the very versions
/// the workspace builds and tests (cargo then only adds what is missing).
fn follow_main_lock(root: &Path, dir: &str) {
    if let Err(e) = std::fs::copy(root.join("Cargo.lock"), root.join(dir).join("Cargo.lock")) {
        eprintln!("xtask: could not copy Cargo.lock into {dir}/: {e}");
    }
}

/// The constant-time check (`ct/`, outside the workspace because it needs
/// valgrind's headers): build it, then run it under memcheck with the
/// suppressions of the declassified verdicts. One step of `ci`.
fn ct(root: &Path) -> Step {
    let start = Instant::now();
    let valgrind = Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !valgrind {
        eprintln!(
            "xtask ct: valgrind is not installed (Debian: apt-get install valgrind); \
             the constant-time check cannot run"
        );
        return Step {
            name: "ct (valgrind)".into(),
            ok: false,
            secs: start.elapsed().as_secs_f64(),
        };
    }
    let include = root.join("ct").join("include").display().to_string();
    follow_main_lock(root, "ct");
    let build = run(
        root,
        "ct build",
        "cargo",
        &[
            "build",
            "--release",
            "--manifest-path",
            "ct/Cargo.toml",
            "--target-dir",
            "target/ct",
        ],
        &[
            ("DEP_VALGRIND", include),
            ("RUSTFLAGS", "--cfg hx_ct_check".to_owned()),
        ],
    );
    let ok = build.ok
        && run(
            root,
            "ct",
            "valgrind",
            &[
                "-q",
                "--error-limit=no",
                "--suppressions=ct/verdicts.supp",
                "target/ct/release/hx-ct-check",
            ],
            &[],
        )
        .ok;
    Step {
        name: "ct (valgrind)".into(),
        ok,
        secs: start.elapsed().as_secs_f64(),
    }
}

/// dudect timing statistics (`timing/`, outside the workspace): builds and
/// runs the benches, then reads each `max t` and applies the thresholds.
fn timing(root: &Path) -> ExitCode {
    follow_main_lock(root, "timing");
    let build = run(
        root,
        "timing build",
        "cargo",
        &[
            "build",
            "--release",
            "--manifest-path",
            "timing/Cargo.toml",
            "--target-dir",
            "target/timing",
        ],
        &[],
    );
    if !build.ok {
        return ExitCode::FAILURE;
    }
    println!("\n==> target/timing/release/hx-timing");
    let output = match Command::new(root.join("target/timing/release/hx-timing"))
        .current_dir(root)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("xtask timing: {e}");
            return ExitCode::FAILURE;
        }
    };
    let text = String::from_utf8_lossy(&output.stdout);
    print!("{text}");
    if !output.status.success() {
        eprintln!("xtask timing: hx-timing failed ({})", output.status);
        return ExitCode::FAILURE;
    }
    let mut results = Vec::new();
    for line in text.lines() {
        let (Some(name), Some(t)) = (
            line.strip_prefix("bench ")
                .and_then(|l| l.split_whitespace().next()),
            line.split("max t = ")
                .nth(1)
                .and_then(|r| r.split(',').next())
                .and_then(|t| t.trim().parse::<f64>().ok()),
        ) else {
            continue;
        };
        results.push((name.to_owned(), t.abs()));
    }
    println!("==> summary (max |t|; below 10: no evidence of a timing difference)");
    let mut counts = false;
    let mut above = 0;
    for (name, t) in &results {
        let verdict = if name.starts_with("control") {
            counts = *t > 100.0;
            if counts {
                "control caught (> 100): the run counts"
            } else {
                "control NOT caught: the run does not count"
            }
        } else if name.starts_with("floor") {
            "noise floor of this machine (equal classes)"
        } else if *t < 10.0 {
            "ok"
        } else {
            above += 1;
            "ABOVE 10 (compare with the floor; rerun)"
        };
        println!("  {name:<28} {t:>10.2}  {verdict}");
    }
    if results.len() < 5 || !counts {
        println!("xtask timing: the run does not count (missing results or control not caught)");
        return ExitCode::FAILURE;
    }
    if above > 0 {
        println!("xtask timing: {above} bench(es) above 10");
        return ExitCode::FAILURE;
    }
    println!("xtask timing: every constant-time bench below 10, control above 100");
    ExitCode::SUCCESS
}

fn bench(root: &Path, rest: &[String]) -> ExitCode {
    let mut args = vec!["bench".to_owned(), "--locked".to_owned()];
    match rest.split_first() {
        Some((krate, filter)) => {
            args.extend(["--package".to_owned(), krate.clone(), "--".to_owned()]);
            args.extend(filter.iter().cloned());
        }
        None => args.push("--workspace".to_owned()),
    }
    let python = peer::ensure(root).ok();
    let env: Vec<(&str, String)> = python
        .map(|p| vec![("HX_PYTHON", p.display().to_string())])
        .unwrap_or_default();
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let step = run(root, "bench", "cargo", &arg_refs, &env);
    // Peer timings in the same run: every crates/<crate>/benches/peer_*.py.
    let python = env.first().map(|(_, p)| p.clone());
    let mut peers_ok = true;
    if let Some(python) = python {
        let wanted = rest.first();
        let mut scripts: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|c| wanted.is_none_or(|w| c.file_name().to_string_lossy() == w.as_str()))
            .flat_map(|c| {
                std::fs::read_dir(c.path().join("benches"))
                    .into_iter()
                    .flatten()
            })
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    n.to_string_lossy().starts_with("peer_") && n.to_string_lossy().ends_with(".py")
                })
            })
            .collect();
        scripts.sort();
        for script in scripts {
            let script = script.display().to_string();
            peers_ok &= run(root, "peer timing", &python, &[&script], &[]).ok;
        }
    }
    if step.ok && peers_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Makes sure `cargo SUBCOMMAND` works, installing `cargo-SUBCOMMAND` from
/// crates.io if it does not; `false` if that fails.
fn ensure_cargo_tool(root: &Path, subcommand: &str) -> bool {
    let present = Command::new("cargo")
        .args([subcommand, "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let package = format!("cargo-{subcommand}");
    present
        || run(
            root,
            &format!("install {package}"),
            "cargo",
            &["install", &package, "--locked"],
            &[],
        )
        .ok
}

/// `cargo deny check` against `deny.toml`. Licenses, bans and sources are
/// checked offline; the advisory check needs the RustSec database from its
/// git repository, and says so plainly (exit status 2) where that cannot be
/// fetched, rather than passing without having looked.
fn audit(root: &Path) -> ExitCode {
    if !ensure_cargo_tool(root, "deny") {
        return ExitCode::FAILURE;
    }
    let offline = run(
        root,
        "licenses, bans, sources",
        "cargo",
        &["deny", "check", "licenses", "bans", "sources"],
        &[],
    );
    println!("==> cargo deny check advisories");
    let advisories = Command::new("cargo")
        .args(["deny", "check", "advisories"])
        .current_dir(root)
        .output();
    let (advisories_ok, unreachable) = match &advisories {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stderr);
            eprint!("{text}");
            (
                out.status.success(),
                text.contains("failed to fetch advisory database"),
            )
        }
        Err(e) => {
            eprintln!("xtask audit: {e}");
            (false, false)
        }
    };
    if !offline.ok || (!advisories_ok && !unreachable) {
        return ExitCode::FAILURE;
    }
    if unreachable {
        eprintln!(
            "xtask audit: licenses, bans and sources pass; advisories NOT CHECKED: the RustSec database could not be fetched from here"
        );
        return ExitCode::from(2);
    }
    println!("xtask audit: licenses, bans, sources and advisories pass");
    ExitCode::SUCCESS
}

/// Copies the committed seeds of a target (`fuzz/seeds/<target>/`, if any)
/// into its corpus, keeping what the corpus already has.
fn seed(seeds: &Path, corpus: &Path) {
    let Ok(entries) = std::fs::read_dir(seeds) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let to = corpus.join(entry.file_name());
        if !to.exists() {
            let _ = std::fs::copy(entry.path(), to);
        }
    }
}

fn fuzz(root: &Path, rest: &[String]) -> ExitCode {
    let mut seconds = 60u32;
    let mut targets = Vec::new();
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => seconds = n,
                None => {
                    eprintln!("xtask fuzz: --seconds takes a whole number");
                    return ExitCode::from(2);
                }
            }
        } else if arg.starts_with('-') {
            // not a target name (`--help` once fuzzed a target of that name)
            eprintln!("usage: cargo xtask fuzz [--seconds N] [TARGET...]");
            return ExitCode::from(2);
        } else {
            targets.push(arg.clone());
        }
    }
    let fuzz_dir = root.join("fuzz");
    if !ensure_cargo_tool(root, "fuzz") {
        return ExitCode::FAILURE;
    }
    if targets.is_empty() {
        let listed = Command::new("cargo")
            .args(["fuzz", "list"])
            .current_dir(&fuzz_dir)
            .output();
        targets = listed
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
    }
    let failed = fuzz_targets(root, &targets, seconds, None);
    println!("xtask fuzz: {} target(s), {failed} failed", targets.len());
    if failed == 0 && !targets.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs each of `targets` for `seconds` from its seeds (libFuzzer's
/// random seed fixed to `rng_seed` if given); returns how many
/// failed (a crash, a failed property, or a build that did not finish).
fn fuzz_targets(root: &Path, targets: &[String], seconds: u32, rng_seed: Option<u32>) -> usize {
    let fuzz_dir = root.join("fuzz");
    // The crates the fuzz workspace shares with the main one resolve to the
    // very versions the workspace builds and tests.
    follow_main_lock(root, "fuzz");
    // cargo-fuzz needs nightly flags; the stable toolchain accepts them with
    // RUSTC_BOOTSTRAP=1 (a maintainer-only task, never used for release builds).
    let env = [("RUSTC_BOOTSTRAP", "1".to_owned())];
    let mut failed = 0;
    for target in targets {
        let corpus = root.join("target").join("fuzz-corpus").join(target);
        let _ = std::fs::create_dir_all(&corpus);
        seed(&fuzz_dir.join("seeds").join(target), &corpus);
        let corpus = corpus.display().to_string();
        let time = format!("-max_total_time={seconds}");
        let mut args = vec![
            "fuzz",
            "run",
            "-O",
            target,
            &corpus,
            "--",
            &time,
            "-rss_limit_mb=2048",
            "-timeout=25",
        ];
        // The pickle targets share a dictionary of opcodes and frame headers.
        let dict = fuzz_dir.join("dicts").join("pickle.dict");
        let dict = format!("-dict={}", dict.display());
        if target.starts_with("pickle_") {
            args.push(&dict);
        }
        let rng_seed = rng_seed.map(|n| format!("-seed={n}"));
        if let Some(rng_seed) = &rng_seed {
            args.push(rng_seed);
        }
        let step = run(&fuzz_dir, &format!("fuzz {target}"), "cargo", &args, &env);
        if !step.ok {
            failed += 1;
        }
    }
    failed
}
