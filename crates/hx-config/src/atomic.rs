//! Durable file replacement and the writers' lock.
//!
//! A save writes a temporary file in the same directory (created 0600),
//! flushes it to disk, renames it over the file and flushes the directory,
//! so a reader — or a crash at any point — sees the old file or the new one.
//! On Linux the temporary file is unnamed (`O_TMPFILE`) until it is
//! complete: an interrupted save, even by SIGKILL, leaves no file behind
//! (it gets a hidden name only for the two system calls that link and
//! rename it). Elsewhere, and on filesystems without unnamed files, it is a
//! hidden `.NAME.hx-tmp.*` file that the next save removes if a crash left
//! it.
//! Writers take an advisory lock on the directory (flock) for the whole
//! check-and-replace, so two `hx config` processes cannot interleave.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::io;
use crate::{Error, Result};

/// The steps of a save, in order (the crash-injection tests stop at each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    CreateTemp,
    Write,
    SyncTemp,
    Rename,
    SyncDir,
}

#[cfg(test)]
pub(crate) const STEPS: [Step; 5] = [
    Step::CreateTemp,
    Step::Write,
    Step::SyncTemp,
    Step::Rename,
    Step::SyncDir,
];

/// An exclusive lock on the directory that holds a config file, released on
/// drop.
pub(crate) struct DirLock(#[allow(dead_code)] File);

pub(crate) fn lock_dir(path: &Path) -> Result<DirLock> {
    let dir = parent_dir(path);
    let handle = File::open(dir).map_err(io(dir))?;
    handle.lock().map_err(io(dir))?;
    Ok(DirLock(handle))
}

pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.hx-tmp.")
}

/// Removes temporary files a crashed save of `path` left behind. Call with
/// the directory lock held.
pub(crate) fn remove_stale_temps(path: &Path) {
    let prefix = temp_prefix(path);
    if let Ok(entries) = std::fs::read_dir(parent_dir(path)) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Replaces (or, with `create`, creates without replacing) `path` with
/// `contents`, durably. Call with the directory lock held.
pub(crate) fn write(path: &Path, contents: &[u8], create: bool) -> Result<()> {
    let mut suffix = [0u8; 8];
    hx_random::fill(&mut suffix)?;
    let name: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let temp = parent_dir(path).join(format!("{}{name}", temp_prefix(path)));
    let result = write_steps(path, &temp, contents, create);
    if let Err(e) = &result
        && !fault::is_crash(e)
    {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn write_steps(path: &Path, temp: &PathBuf, contents: &[u8], create: bool) -> Result<()> {
    fault::at(Step::CreateTemp, temp, contents)?;
    let (mut file, unnamed) = match unnamed::create(parent_dir(path)) {
        Some(file) => (file, true),
        None => (create_private(temp)?, false),
    };
    fault::at(Step::Write, temp, contents)?;
    file.write_all(contents).map_err(io(temp))?;
    fault::at(Step::SyncTemp, temp, contents)?;
    file.sync_all().map_err(io(temp))?;
    fault::at(Step::Rename, temp, contents)?;
    if create {
        // A hard link fails if `path` exists: creation never replaces.
        if unnamed {
            unnamed::link(&file, path).map_err(io(path))?;
        } else {
            std::fs::hard_link(temp, path).map_err(io(path))?;
            std::fs::remove_file(temp).map_err(io(temp))?;
        }
    } else {
        if unnamed {
            unnamed::link(&file, temp).map_err(io(temp))?;
        }
        std::fs::rename(temp, path).map_err(io(path))?;
    }
    drop(file);
    fault::at(Step::SyncDir, temp, contents)?;
    // The rename is done and cannot be taken back: a directory that cannot be
    // synced (some filesystems refuse) does not make the save fail.
    if let Ok(dir) = File::open(parent_dir(path)) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(target_os = "linux")]
mod unnamed {
    //! `O_TMPFILE` files, named with `linkat` through `/proc/self/fd` (the
    //! way that needs no privilege).

    use std::fs::File;
    use std::os::fd::AsRawFd as _;
    use std::path::Path;

    use rustix::fs::{AtFlags, CWD, Mode, OFlags};

    /// An unnamed file (mode 0600) in `dir`, or `None` where there is none.
    pub(super) fn create(dir: &Path) -> Option<File> {
        if !Path::new("/proc/self/fd").is_dir() {
            return None;
        }
        let fd = rustix::fs::openat(
            CWD,
            dir,
            OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .ok()?;
        Some(File::from(fd))
    }

    /// Names `file` `path`; fails if `path` exists.
    pub(super) fn link(file: &File, path: &Path) -> std::io::Result<()> {
        let proc = format!("/proc/self/fd/{}", file.as_raw_fd());
        rustix::fs::linkat(CWD, proc.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW)
            .map_err(std::io::Error::from)
    }
}

#[cfg(not(target_os = "linux"))]
mod unnamed {
    use std::fs::File;
    use std::path::Path;

    pub(super) fn create(_dir: &Path) -> Option<File> {
        None
    }

    pub(super) fn link(_file: &File, _path: &Path) -> std::io::Result<()> {
        Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
    }
}

fn create_private(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path).map_err(io(path))
}

/// Reads a config file of at most `limit` bytes as text.
pub(crate) fn read_text(path: &Path, limit: usize) -> Result<String> {
    use std::io::Read as _;
    let file = File::open(path).map_err(io(path))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    if bytes.len() > limit {
        return Err(Error::TooLarge("the config file"));
    }
    String::from_utf8(bytes).map_err(|_| Error::Parse {
        line: None,
        reason: "not UTF-8 text".into(),
    })
}

/// Fault injection for the crash tests: a test arms a step, and the save
/// stops there as if the process died (no clean-up), optionally leaving a
/// truncated temporary file as a crash in the middle of the write would.
#[cfg(test)]
pub(crate) mod fault {
    use std::cell::Cell;
    use std::path::Path;

    use super::Step;
    use crate::Error;

    thread_local! {
        static ARMED: Cell<Option<(Step, bool)>> = const { Cell::new(None) };
    }

    /// Arms a crash at `step`; with `truncate`, a crash at `Step::SyncTemp`
    /// leaves half the contents in the temporary file.
    pub(crate) fn arm(step: Step, truncate: bool) {
        ARMED.with(|a| a.set(Some((step, truncate))));
    }

    pub(crate) fn disarm() {
        ARMED.with(|a| a.set(None));
    }

    pub(crate) fn at(step: Step, temp: &Path, contents: &[u8]) -> crate::Result<()> {
        match ARMED.with(Cell::get) {
            Some((armed, truncate)) if armed == step => {
                if truncate {
                    let _ = std::fs::write(temp, &contents[..contents.len() / 2]);
                }
                Err(crash())
            }
            _ => Ok(()),
        }
    }

    fn crash() -> Error {
        Error::Io {
            path: "injected-crash".into(),
            source: std::io::Error::other("injected crash"),
        }
    }

    pub(crate) fn is_crash(e: &Error) -> bool {
        matches!(e, Error::Io { path, .. } if path.as_os_str() == "injected-crash")
    }
}

#[cfg(not(test))]
pub(crate) mod fault {
    use std::path::Path;

    use super::Step;
    use crate::Error;

    #[inline(always)]
    pub(crate) fn at(_step: Step, _temp: &Path, _contents: &[u8]) -> crate::Result<()> {
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn is_crash(_e: &Error) -> bool {
        false
    }
}
