//! Named temporary files (and the private directories of `hx config
//! edit`) removed when SIGINT, SIGTERM or SIGHUP ends the process (unnamed `O_TMPFILE` files need none of this: they vanish with
//! the process by themselves).
//!
//! The handler is installed the first time a named temporary file is made,
//! so commands that make none keep the default signal behaviour, and only
//! for signals that are not ignored (under `nohup`, SIGHUP stays ignored).
//! On a signal it removes every file still registered and then dies by the
//! same signal, so a shell sees what it would see without the handler (a
//! script's loop stops on Ctrl-C).

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
            let ignored = ignored_signals();
            let wanted: Vec<i32> = [SIGINT, SIGTERM, SIGHUP]
                .into_iter()
                .filter(|&s| ignored & (1u64 << (s - 1)) == 0)
                .collect();
            if wanted.is_empty() {
                return;
            }
            let Ok(mut signals) = signal_hook::iterator::Signals::new(&wanted) else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held to the end: no new file is made meanwhile.
                    let paths = paths();
                    // newest first: a file before the directory holding it
                    for (_, path) in paths.iter().rev() {
                        if path.is_dir() {
                            let _ = std::fs::remove_dir_all(path);
                        } else {
                            let _ = std::fs::remove_file(path);
                        }
                    }
                    // Die by the signal itself (its default action), as the
                    // process would have without the handler.
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        }
    });
}

/// The signals this process ignores (bit n-1 for signal n), from
/// `/proc/self/status` on Linux; none elsewhere.
#[cfg(unix)]
fn ignored_signals() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("SigIgn:"))
                .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        })
        .unwrap_or(0)
}
