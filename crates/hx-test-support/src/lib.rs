#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Panicking with a clear message is how a test helper reports a failure.
#![allow(clippy::panic)]

use std::ffi::OsStr;
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The Python interpreter of the peer tests: `$HX_PYTHON` (set by
/// `cargo xtask ci` to its virtual environment) or `python3`.
#[must_use]
pub fn python() -> String {
    std::env::var("HX_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// A [`Command`] for the interpreter of [`python`], to be given arguments and
/// run with [`run_checked`].
#[must_use]
pub fn python_command() -> Command {
    Command::new(python())
}

/// Runs `command` with `stdin` as its input (a broken pipe is ignored: the
/// program may exit without reading it), and returns its standard output.
///
/// # Panics
///
/// If the program cannot start or exits unsuccessfully, with its standard
/// error in the message.
pub fn run_checked(command: &mut Command, stdin: &[u8]) -> Vec<u8> {
    let program = command.get_program().to_string_lossy().into_owned();
    let shown = command.get_args().fold(program.clone(), |mut shown, a| {
        let a = a.to_string_lossy();
        shown.push(' ');
        shown.push_str(if a.len() > 80 { "…" } else { &a });
        shown
    });
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {program}: {e} (for the Python peer: run `cargo xtask peer-env` and set HX_PYTHON)"
            )
        });
    let Some(mut input) = child.stdin.take() else {
        panic!("{shown}: no standard input pipe")
    };
    // Written from another thread so that a program answering before it has
    // read everything cannot fill its output pipe and stall.
    let out = std::thread::scope(|s| {
        s.spawn(|| match input.write_all(stdin) {
            Ok(()) => drop(input),
            Err(e) if e.kind() == ErrorKind::BrokenPipe => {}
            Err(e) => panic!("cannot write to {program}: {e}"),
        });
        child.wait_with_output()
    })
    .unwrap_or_else(|e| panic!("cannot wait for {shown}: {e}"));
    assert!(
        out.status.success(),
        "{shown} failed ({}; for the Python peer: run `cargo xtask peer-env` and set HX_PYTHON):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs the interpreter of [`python`] on `script` with `args`, writing
/// `stdin` to it, and returns its standard output.
///
/// # Panics
///
/// If the interpreter cannot start or exits unsuccessfully (a missing peer
/// fails the test; it never skips), with its standard error in the message.
pub fn run_python(script: impl AsRef<Path>, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    run_checked(python_command().arg(script.as_ref()).args(args), stdin)
}

/// Runs `python -c code args…`, writing `stdin` to it, and returns its
/// standard output.
///
/// # Panics
///
/// As [`run_python`].
pub fn run_python_code(code: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    run_checked(python_command().arg("-c").arg(code).args(args), stdin)
}

/// Runs `script` with `args` and `request` as JSON on its standard input,
/// and parses the JSON it prints.
///
/// # Panics
///
/// As [`run_python`], and if the output is not JSON.
pub fn python_json(
    script: impl AsRef<Path>,
    args: &[&str],
    request: &serde_json::Value,
) -> serde_json::Value {
    let script = script.as_ref();
    let out = run_python(script, args, request.to_string().as_bytes());
    parse_json(script, &out)
}

/// Parses the JSON output of `program`.
///
/// # Panics
///
/// If `out` is not JSON, naming `program` and showing the start of `out`.
pub fn parse_json(program: impl AsRef<OsStr>, out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| {
        let shown = String::from_utf8_lossy(&out[..out.len().min(500)]);
        panic!(
            "{} printed something other than JSON ({e}): {shown}",
            program.as_ref().to_string_lossy()
        )
    })
}

/// splitmix64: a small deterministic generator, so that a failing seed can
/// be replayed (see [`peer_seed`]).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next value.
    pub const fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (the next value modulo `n`).
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    pub const fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// [`below`](Self::below) for lengths and indexes.
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "a usize fits in a u64, and the value is below n"
    )]
    pub const fn below_usize(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// `len` bytes, the low byte of one value each.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64().to_le_bytes()[0]).collect()
    }
}

/// The seed of a randomized peer test: `$HX_PEER_SEED` if set, else one from
/// the clock. It is printed to standard error (shown when the test fails)
/// as `HX_PEER_SEED=…`, to replay the run.
#[must_use]
pub fn peer_seed() -> u64 {
    let seed = std::env::var("HX_PEER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos();
            // The low 64 bits, as the peer tests always took them.
            #[allow(clippy::cast_possible_truncation, reason = "the low 64 bits")]
            let seed = nanos as u64;
            seed
        });
    eprintln!("peer test seed: HX_PEER_SEED={seed}");
    seed
}

/// Decodes hex.
///
/// # Panics
///
/// If `s` is not hex, showing it.
#[must_use]
pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

fn data_path(manifest_dir: &str, name: &str) -> PathBuf {
    Path::new(manifest_dir).join("tests/data").join(name)
}

/// Reads the text file `<manifest_dir>/tests/data/<name>` (pass
/// `env!("CARGO_MANIFEST_DIR")`).
///
/// # Panics
///
/// If the file cannot be read as UTF-8 text, naming it.
#[must_use]
pub fn data(manifest_dir: &str, name: &str) -> String {
    let path = data_path(manifest_dir, name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads the file `<manifest_dir>/tests/data/<name>` as bytes.
///
/// # Panics
///
/// If the file cannot be read, naming it.
#[must_use]
pub fn data_bytes(manifest_dir: &str, name: &str) -> Vec<u8> {
    let path = data_path(manifest_dir, name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes a secret file as a careful user would: mode 0600 on Unix (`hx`
/// refuses secret files that group or others can read).
///
/// # Panics
///
/// If the file cannot be written or its mode set.
pub fn write_secret(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
    let path = path.as_ref();
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[cfg(test)]
mod tests {
    use super::SplitMix64;

    /// The sequence the peer tests have always drawn: it must not change.
    #[test]
    fn splitmix64_sequence_is_fixed() {
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        let mut rng = SplitMix64::new(1234);
        let a = rng.clone().next_u64();
        assert_eq!(rng.bytes(1), [a.to_le_bytes()[0]]);
    }
}

/// A command for a peer program from Debian's packages (`age-keygen` of
/// `age`, `ssh-keygen` of `openssh-client`, …). `.ci/run` installs them.
///
/// # Panics
///
/// If `program` is not on `PATH`: a missing peer fails the test, naming the
/// package to install; it never skips.
pub fn peer_tool(program: &str, debian_package: &str) -> Command {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "the peer program {program} is not installed: apt-get install {debian_package} \
         (.ci/run installs it)"
    );
    Command::new(program)
}

/// Project Wycheproof's JSON test files: the common envelope and the result
/// every case declares, read once here for every crate's vector tests.
pub mod wycheproof {
    use serde::Deserialize;
    use serde::de::DeserializeOwned;

    /// What a case expects.
    #[derive(Deserialize, PartialEq, Eq, Clone, Copy, Debug)]
    #[serde(rename_all = "lowercase")]
    pub enum Expect {
        /// The operation must succeed with the given result.
        Valid,
        /// The operation must fail.
        Invalid,
        /// Either is allowed; the test says which hx does, and why.
        Acceptable,
    }

    /// A Wycheproof file: its case count and its groups, each of type `G`
    /// (a crate's own struct, or `serde_json::Value`).
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct File<G> {
        /// `algorithm` as the file names it.
        pub algorithm: String,
        /// The number of cases the file declares; a test checks it ran them all.
        pub number_of_tests: usize,
        /// The groups of cases.
        pub test_groups: Vec<G>,
    }

    /// Reads `tests/data/<name>` of the crate at `manifest_dir` as a
    /// Wycheproof file.
    ///
    /// # Panics
    ///
    /// If the file is missing or is not a Wycheproof file of groups `G`.
    #[must_use]
    pub fn load<G: DeserializeOwned>(manifest_dir: &str, name: &str) -> File<G> {
        serde_json::from_str(&crate::data(manifest_dir, name))
            .unwrap_or_else(|e| panic!("{name} is not a Wycheproof file of this shape: {e}"))
    }
}
