//! The Python environment the interop tests drive: a virtual environment
//! under `target/peer-venv` with the pinned `cryptography` package.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The `cryptography` release the interop tests are written against.
const CRYPTOGRAPHY: &str = "cryptography==48.0.0";

/// Creates `target/peer-venv` if needed and returns its Python.
pub fn ensure(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join("target").join("peer-venv");
    let python = venv.join("bin").join("python3");
    if !python.is_file() {
        let host = find_host_python()?;
        println!("==> {host} -m venv {}", venv.display());
        check(Command::new(&host).args(["-m", "venv"]).arg(&venv))?;
    }
    let probe = format!(
        "import cryptography, sys; sys.exit(0 if cryptography.__version__ == {:?} else 1)",
        CRYPTOGRAPHY.trim_start_matches("cryptography==")
    );
    let ready = Command::new(&python)
        .args(["-c", &probe])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        println!(
            "==> {} -m pip install --quiet {CRYPTOGRAPHY}",
            python.display()
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
                .arg(CRYPTOGRAPHY),
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
