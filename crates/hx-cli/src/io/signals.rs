//! Named temporary files removed when SIGINT, SIGTERM or SIGHUP ends the
//! process (unnamed `O_TMPFILE` files need none of this: they vanish with
//! the process by themselves).
//!
//! The handler is installed the first time a named temporary file is made,
//! so commands that make none keep the default signal behaviour. On a
//! signal it removes every file still registered and exits with status
//! 128 + the signal number, as a shell reports a process the signal killed.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};

static PATHS: Mutex<Vec<(u64, PathBuf)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn paths() -> MutexGuard<'static, Vec<(u64, PathBuf)>> {
    PATHS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Files registered through one `Cleanup`, removed on a signal until the
/// `Cleanup` is dropped.
pub struct Cleanup {
    id: u64,
}

impl Cleanup {
    /// Installs the handler (once) and returns an empty registration.
    pub fn arm() -> Self {
        install();
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// Makes a file with `make` and registers the path `path_of` gives,
    /// with the handler held off meanwhile: a signal cannot fall between
    /// the file's creation and its registration.
    pub fn track<T>(
        &self,
        make: impl FnOnce() -> std::io::Result<T>,
        path_of: impl FnOnce(&T) -> &Path,
    ) -> std::io::Result<T> {
        let mut paths = paths();
        let made = make()?;
        paths.push((self.id, path_of(&made).to_owned()));
        Ok(made)
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        paths().retain(|(id, _)| *id != self.id);
    }
}

fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held to the exit: no new file is made meanwhile.
                    let paths = paths();
                    for (_, path) in paths.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                    std::process::exit(128 + signal);
                }
            });
        }
    });
}
