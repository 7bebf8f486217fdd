//! Progress of long jobs (`digest`, `pickle scan`, `encrypt`, `decrypt`,
//! `pk --stream`) on stderr: a bar with bytes, rate and ETA (a spinner when
//! the size is unknown), drawn by `indicatif` only when stderr is a terminal,
//! never in pipes, logs or CI, and never with `--quiet`.

use std::io::{IsTerminal, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this finish before a bar would be worth drawing.
const MIN_SHOWN: u64 = 16 << 20;

static QUIET: AtomicBool = AtomicBool::new(false);

/// `--quiet`: no progress for the rest of the run.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` was given.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Whether progress may be drawn at all.
fn wanted() -> bool {
    !quiet() && std::io::stderr().is_terminal()
}

/// Whether an input of `len` bytes gets a bar.
pub fn shown_for(len: u64) -> bool {
    wanted() && len >= MIN_SHOWN
}

/// Counts the bytes read through it and moves a bar; the bar is cleared
/// when the reader is dropped.
pub struct Reader<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R> Reader<R> {
    /// Wraps `inner`, of `total` bytes if known, labelled `label` (a file
    /// name) on the bar.
    pub fn new(inner: R, total: Option<u64>, label: &str) -> Self {
        let bar = (wanted() && total.is_none_or(|t| t >= MIN_SHOWN)).then(|| {
            let bar = match total {
                Some(total) => ProgressBar::with_draw_target(
                    Some(total),
                    ProgressDrawTarget::stderr_with_hz(10),
                )
                .with_style(
                    ProgressStyle::with_template(
                        "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10))
                    .with_style(
                        ProgressStyle::with_template(
                            "{spinner} {msg} {bytes} {binary_bytes_per_sec}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
            };
            bar.with_message(label.to_owned())
        });
        Self { inner, bar }
    }

    /// Whether a bar is drawn (for tests of the decision).
    #[cfg(test)]
    fn shown(&self) -> bool {
        self.bar.is_some()
    }
}

impl Reader<crate::io::Input> {
    /// A reader over a command's input, the bar's length and label taken
    /// from the input itself.
    pub fn over(input: crate::io::Input) -> Self {
        let (len, name) = (input.len(), input.name().to_owned());
        Self::new(input, len, &name)
    }
}

impl<R> Drop for Reader<R> {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl<R: Read> Read for Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

/// Seeking moves the bar to the new position (the model scanner seeks
/// through archives).
impl<R: Seek> Seek for Reader<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let at = self.inner.seek(pos)?;
        if let Some(bar) = &self.bar {
            bar.set_position(at);
        }
        Ok(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_bar_when_quiet_or_small_and_bytes_pass_through() {
        set_quiet(true);
        let mut r = Reader::new(&b"abc"[..], None, "x");
        assert!(!r.shown());
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abc");
        set_quiet(false);
    }
}
