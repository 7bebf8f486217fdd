//! The Python environment the interop tests drive: a virtual environment
//! under `target/peer-venv` with the pinned peer packages.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The releases the interop tests are written against: Python's
/// `cryptography`; `pyrage` (rage's bindings, the age passphrase peer);
/// argon2-cffi, pyca/bcrypt and passlib (the password-hash peers);
/// python-dotenv (the `.env` reader's peer); Django and Werkzeug (their
/// password hashers, peers of hx-password's framework formats).
const PACKAGES: &[&str] = &[
    "cryptography==48.0.0",
    "pyrage==1.4.0",
    "argon2-cffi==25.1.0",
    "bcrypt==5.0.0",
    "passlib==1.7.4",
    "python-dotenv==1.1.1",
    "Django==5.2.8",
    "Werkzeug==3.1.3",
];

/// Creates `target/peer-venv` if needed and returns its Python.
pub fn ensure(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target").join("peer-venv");
    let python = venv.join("bin").join("python3");
    if !python.is_file() {
        let host = find_host_python()?;
        println!("==> {host} -m venv {}", venv.display());
        check(Command::new(&host).args(["-m", "venv"]).arg(&venv))?;
    }
    let pins: Vec<String> = PACKAGES
        .iter()
        .filter_map(|p| p.split_once("=="))
        .map(|(name, version)| format!("({name:?}, {version:?})"))
        .collect();
    let probe = format!(
        "import importlib.metadata as m, sys\n\
         try:\n    ok = all(m.version(n) == v for n, v in [{}])\n\
         except m.PackageNotFoundError:\n    ok = False\n\
         sys.exit(0 if ok else 1)",
        pins.join(", ")
    );
    let ready = Command::new(&python)
        .args(["-c", &probe])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        println!(
            "==> {} -m pip install --quiet {}",
            python.display(),
            PACKAGES.join(" ")
        );
        check(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(PACKAGES),
        )?;
    }
    Ok(python)
}

fn find_host_python() -> Result<String, String> {
    for candidate in ["python3", "python"] {
        if Command::new(candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Ok(candidate.to_owned());
        }
    }
    Err("no python3 on PATH: the interop tests need Python 3 (apt-get install python3 python3-venv)".into())
}

fn check(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} exited with {status}"))
    }
}
