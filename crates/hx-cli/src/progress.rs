//! A progress line on stderr for long operations, shown only when stderr is
//! a terminal (never in pipes, logs or CI).

use std::io::{IsTerminal, Read, Write};
use std::time::{Duration, Instant};

/// Counts bytes read and redraws `done / total (percent, rate)` at most ten
/// times a second.
pub struct Reader<R> {
    inner: R,
    total: u64,
    done: u64,
    started: Instant,
    last_draw: Option<Instant>,
    enabled: bool,
}

impl<R> Reader<R> {
    /// Wraps `inner`, whose length is `total` bytes (0 if unknown).
    pub fn new(inner: R, total: u64) -> Self {
        Self {
            inner,
            total,
            done: 0,
            started: Instant::now(),
            last_draw: None,
            // Only worth it for large inputs on an interactive terminal.
            enabled: std::io::stderr().is_terminal() && total >= 64 << 20,
        }
    }

    fn draw(&mut self) {
        let mib = |b: u64| b as f64 / f64::from(1 << 20);
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let pct = (100 * self.done).checked_div(self.total).unwrap_or(0);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r  {:>8.1} / {:.1} MiB  {pct:>3}%  {:>7.1} MiB/s",
            mib(self.done),
            mib(self.total),
            mib(self.done) / secs
        );
        let _ = err.flush();
    }

    /// Clears the progress line.
    pub fn finish(&mut self) {
        if self.enabled && self.last_draw.is_some() {
            self.draw();
            let _ = writeln!(std::io::stderr());
        }
    }
}

impl<R: Read> Read for Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if self.enabled
            && self
                .last_draw
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            self.last_draw = Some(Instant::now());
            self.draw();
        }
        Ok(n)
    }
}
