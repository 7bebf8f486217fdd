//! Every file a command writes, written one way.
//!
//! An [`Output`] is standard output (`-`) or a file that gets its name only
//! when the command succeeds:
//!
//! - On Linux the content goes to an unnamed temporary file (`O_TMPFILE`)
//!   in the destination's directory, which is linked under its name
//!   (`linkat`) after it is complete and flushed to disk. Until then the
//!   file has no name: an interruption of any kind, SIGKILL and power loss
//!   included, leaves nothing behind.
//! - Where the filesystem has no unnamed files (and on other platforms) the
//!   content goes to a hidden `.hx-XXXXXX` file beside the destination,
//!   removed on failure, on SIGINT, SIGTERM and SIGHUP; only SIGKILL or a
//!   crash can leave it. (`HX_NO_UNNAMED_TEMP=1` chooses this way
//!   everywhere.)
//!
//! An existing destination (a symbolic link included, even a dangling one)
//! is refused unless the command was given `--force`, both before any work
//! and at the moment of naming, so a file created meanwhile is not replaced
//! either. With `--force` the new file is renamed over the old one: a
//! reader sees one or the other, never a mixture.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{is_stdio, parent_dir, path_failure as failure, stdout_failure, sync_dir};
use crate::failure::Failure;

/// Who may read a file a command writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Keys, plaintexts: mode 0600.
    Secret,
    /// Public keys, signatures, ciphertexts: mode 0644.
    Public,
}

impl Access {
    fn mode(self) -> u32 {
        match self {
            Self::Secret => 0o600,
            Self::Public => 0o644,
        }
    }
}

/// Whether an existing destination may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replace {
    /// Refuse an existing file (the default of every command).
    Never,
    /// Replace it (`--force`, or a command that rewrites its own file, such
    /// as `hx key rotate`).
    Allowed,
}

impl Replace {
    /// `Allowed` when `--force` was given.
    pub fn forced(force: bool) -> Self {
        if force { Self::Allowed } else { Self::Never }
    }
}

/// A command's output, named only by [`Output::commit`].
pub struct Output {
    dest: Dest,
}

enum Dest {
    Stdout(std::io::Stdout),
    File {
        path: PathBuf,
        replace: Replace,
        temp: Temp,
    },
}

enum Temp {
    /// An `O_TMPFILE` file: no name until linked.
    #[cfg(target_os = "linux")]
    Unnamed(File),
    /// A named temporary file, removed on drop and on the signals that
    /// would end the process.
    Named {
        file: tempfile::NamedTempFile,
        _cleanup: super::signals::Cleanup,
    },
}

impl Temp {
    fn file(&self) -> &File {
        match self {
            #[cfg(target_os = "linux")]
            Self::Unnamed(file) => file,
            Self::Named { file, .. } => file.as_file(),
        }
    }

    fn file_mut(&mut self) -> &mut File {
        match self {
            #[cfg(target_os = "linux")]
            Self::Unnamed(file) => file,
            Self::Named { file, .. } => file.as_file_mut(),
        }
    }
}

/// Refuses an existing `path` (a symbolic link included) unless `replace`
/// allows it.
pub fn refuse_existing(path: &Path, replace: Replace) -> Result<(), Failure> {
    if replace == Replace::Never && std::fs::symlink_metadata(path).is_ok() {
        return Err(already_exists(path));
    }
    Ok(())
}

fn already_exists(path: &Path) -> Failure {
    Failure::Usage(format!(
        "{}: already exists; not replacing it (give --force to replace it)",
        path.display()
    ))
}

impl Output {
    /// The output named `path`: standard output for `-`, otherwise a new
    /// file created with `access`'s mode once the command succeeds.
    /// An existing `path` is refused here, before any work, unless
    /// `replace` allows it.
    pub fn create(path: &Path, access: Access, replace: Replace) -> Result<Self, Failure> {
        if is_stdio(path) {
            return Ok(Self {
                dest: Dest::Stdout(std::io::stdout()),
            });
        }
        refuse_existing(path, replace)?;
        // Even --force replaces only a regular file (or a link, dangling or
        // to a regular file): never a device, a fifo or a directory
        // (`-o /dev/null -f` must not turn /dev/null into a file).
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            let what = if meta.is_dir() {
                "is a directory"
            } else {
                "is not a regular file; hx writes only regular files (give - for standard output)"
            };
            return Err(failure(path, &what));
        }
        let dir = parent_dir(path);
        if !std::fs::metadata(dir).is_ok_and(|m| m.is_dir()) {
            return Err(failure(
                path,
                &format!("the directory {} does not exist", dir.display()),
            ));
        }
        // The OS's reason, without the temporary file's name.
        let temp = new_temp(dir, access).map_err(|e| match e.raw_os_error() {
            Some(code) => failure(path, &std::io::Error::from_raw_os_error(code)),
            None => failure(path, &e.kind()),
        })?;
        Ok(Self {
            dest: Dest::File {
                path: path.to_owned(),
                replace,
                temp,
            },
        })
    }

    /// Whether this is standard output.
    pub fn is_stdout(&self) -> bool {
        matches!(self.dest, Dest::Stdout(_))
    }

    /// A failed write (whose message already names this output): a closed
    /// pipe ends the command quietly.
    pub fn failure(&self, e: &std::io::Error) -> Failure {
        super::io_failure(e)
    }

    /// Where the bytes go.
    fn sink(&mut self) -> &mut dyn Write {
        match &mut self.dest {
            Dest::Stdout(out) => out,
            Dest::File { temp, .. } => temp.file_mut(),
        }
    }

    fn annotate(&self, e: std::io::Error) -> std::io::Error {
        let name = match &self.dest {
            Dest::Stdout(_) => "standard output".to_owned(),
            Dest::File { path, .. } => path.display().to_string(),
        };
        std::io::Error::new(e.kind(), format!("{name}: {e}"))
    }

    /// Finishes the output: flushes standard output, or flushes the file to
    /// disk and gives it its name. Dropping an `Output` instead leaves no
    /// file behind.
    pub fn commit(self) -> Result<(), Failure> {
        match self.dest {
            Dest::Stdout(mut out) => out.flush().map_err(|e| stdout_failure(&e)),
            Dest::File {
                path,
                replace,
                temp,
            } => {
                temp.file().sync_all().map_err(|e| failure(&path, &e))?;
                name(temp, &path, replace)?;
                sync_dir(parent_dir(&path));
                Ok(())
            }
        }
    }
}

/// Errors name the output.
impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.sink().write(buf);
        written.map_err(|e| self.annotate(e))
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let written = self.sink().write_all(buf);
        written.map_err(|e| self.annotate(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        // A file is flushed to disk by commit.
        let flushed = match &mut self.dest {
            Dest::Stdout(out) => out.flush(),
            Dest::File { .. } => Ok(()),
        };
        flushed.map_err(|e| self.annotate(e))
    }
}

/// Writes `contents` to the output `path` in one go (see [`Output`]).
pub fn write_output(
    path: &Path,
    contents: &[u8],
    access: Access,
    replace: Replace,
) -> Result<(), Failure> {
    let mut out = Output::create(path, access, replace)?;
    out.write_all(contents).map_err(|e| out.failure(&e))?;
    out.commit()
}

/// Set (to anything) to use named temporary files even where unnamed ones
/// exist: the tests of the fallback use it, and so can a filesystem that
/// accepts `O_TMPFILE` but mishandles it.
pub const NO_UNNAMED_TEMP_ENV: &str = "HX_NO_UNNAMED_TEMP";

fn new_temp(dir: &Path, access: Access) -> std::io::Result<Temp> {
    #[cfg(target_os = "linux")]
    if std::env::var_os(NO_UNNAMED_TEMP_ENV).is_none()
        && let Some(file) = unnamed::create(dir, access.mode())?
    {
        return Ok(Temp::Unnamed(file));
    }
    let cleanup = super::signals::Cleanup::arm();
    let mut builder = tempfile::Builder::new();
    builder.prefix(".hx-");
    #[cfg(unix)]
    builder.permissions(permissions(access.mode()));
    #[cfg(not(unix))]
    let _ = access;
    let file = cleanup.track(|| builder.tempfile_in(dir), |f| f.path())?;
    // Exactly this mode, whatever the umask (as on the unnamed path).
    #[cfg(unix)]
    file.as_file().set_permissions(permissions(access.mode()))?;
    Ok(Temp::Named {
        file,
        _cleanup: cleanup,
    })
}

#[cfg(unix)]
fn permissions(mode: u32) -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(mode)
}

/// Gives the finished temporary file its name.
fn name(temp: Temp, path: &Path, replace: Replace) -> Result<(), Failure> {
    let exists = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            already_exists(path)
        } else {
            failure(path, &e)
        }
    };
    match temp {
        #[cfg(target_os = "linux")]
        Temp::Unnamed(file) => match replace {
            Replace::Never => unnamed::link(&file, path).map_err(exists),
            Replace::Allowed => {
                // A name of its own first, then renamed over the old file
                // (linkat cannot replace). Between the two steps the hidden
                // name is removed on the usual signals; the window is two
                // system calls long.
                let cleanup = super::signals::Cleanup::arm();
                let hidden = cleanup
                    .track(|| unnamed::link_hidden(&file, parent_dir(path)), |p| p)
                    .map_err(|e| failure(path, &e))?;
                std::fs::rename(&hidden, path).map_err(|e| {
                    let _ = std::fs::remove_file(&hidden);
                    failure(path, &e)
                })
            }
        },
        Temp::Named { file, _cleanup } => match replace {
            Replace::Never => file
                .persist_noclobber(path)
                .map(drop)
                .map_err(|e| exists(e.error)),
            Replace::Allowed => file
                .persist(path)
                .map(drop)
                .map_err(|e| failure(path, &e.error)),
        },
    }
}

#[cfg(target_os = "linux")]
mod unnamed {
    //! `O_TMPFILE` files and `linkat` through `/proc/self/fd`, the way that
    //! needs no privilege (`AT_EMPTY_PATH` needs CAP_DAC_READ_SEARCH).

    use std::fs::File;
    use std::os::fd::AsRawFd;
    use std::path::{Path, PathBuf};

    use rustix::fs::{AtFlags, CWD, Mode, OFlags};

    /// An unnamed file in `dir`; `Ok(None)` where the filesystem (or the
    /// kernel) has none or `/proc` is not there to name it later. Other
    /// failures (permissions, a full disk) are errors: a named file would
    /// fail the same way.
    pub fn create(dir: &Path, mode: u32) -> std::io::Result<Option<File>> {
        if !Path::new("/proc/self/fd").is_dir() {
            return Ok(None);
        }
        let fd = match rustix::fs::openat(
            CWD,
            dir,
            OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
        ) {
            Ok(fd) => fd,
            // No O_TMPFILE here: an old kernel (EISDIR, EINVAL) or a
            // filesystem without it (EOPNOTSUPP).
            Err(e)
                if e == rustix::io::Errno::OPNOTSUPP
                    || e == rustix::io::Errno::ISDIR
                    || e == rustix::io::Errno::INVAL =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        // The umask narrowed the mode: set exactly the one asked for.
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode))?;
        Ok(Some(File::from(fd)))
    }

    fn proc_path(file: &File) -> PathBuf {
        PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()))
    }

    /// Names `file` `path`; fails with `AlreadyExists` if `path` exists.
    pub fn link(file: &File, path: &Path) -> std::io::Result<()> {
        rustix::fs::linkat(CWD, proc_path(file), CWD, path, AtFlags::SYMLINK_FOLLOW)
            .map_err(std::io::Error::from)
    }

    /// Names `file` with a new hidden name in `dir` and returns it.
    pub fn link_hidden(file: &File, dir: &Path) -> std::io::Result<PathBuf> {
        loop {
            let mut suffix = [0u8; 6];
            getrandom_suffix(&mut suffix)?;
            let name = dir.join(format!(".hx-{}", hex::encode(suffix)));
            match link(file, &name) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                other => return other.map(|()| name),
            }
        }
    }

    fn getrandom_suffix(buf: &mut [u8]) -> std::io::Result<()> {
        hx::random::fill(buf).map_err(std::io::Error::other)
    }
}
