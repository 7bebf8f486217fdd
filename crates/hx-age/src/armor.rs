//! The ASCII armor: strict PEM (RFC 7468 §3) with the label `AGE ENCRYPTED
//! FILE`, 64-column lines of canonical padded base64. Reading is streamed
//! (one line in memory) and strict: whitespace is allowed only before and
//! after the block; headers, short or long lines, non-canonical base64 and
//! trailing data are refused. LF and CRLF line ends are both read.

use std::io::{self, BufRead, BufReader, Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::Error;

const BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
const END: &[u8] = b"-----END AGE ENCRYPTED FILE-----";
const COLUMNS: usize = 64;
/// Bytes of plaintext per full line.
const LINE_BYTES: usize = COLUMNS / 4 * 3;

fn armor_error(part: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, Error::Armor(part))
}

/// Whether `start` (the first bytes of a file) begins an armored file:
/// after any whitespace, `-----BEGIN`.
#[must_use]
pub fn is_armored(start: &[u8]) -> bool {
    start.trim_ascii_start().starts_with(b"-----BEGIN")
}

/// Writes the armor around what is written to it. Call
/// [`finish`](Self::finish) at the end.
pub struct ArmoredWriter<W: Write> {
    inner: W,
    pending: Vec<u8>,
    started: bool,
}

impl<W: Write> ArmoredWriter<W> {
    /// Armor on `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::with_capacity(LINE_BYTES),
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.inner.write_all(BEGIN)?;
            self.inner.write_all(b"\n")?;
            self.started = true;
        }
        Ok(())
    }

    /// Writes the last line and the END line; returns the output.
    ///
    /// # Errors
    /// [`Error::Io`] if writing fails.
    pub fn finish(mut self) -> crate::Result<W> {
        self.start()?;
        if !self.pending.is_empty() {
            let line = STANDARD.encode(&self.pending);
            self.inner.write_all(line.as_bytes())?;
            self.inner.write_all(b"\n")?;
        }
        self.inner.write_all(END)?;
        self.inner.write_all(b"\n")?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for ArmoredWriter<W> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        self.start()?;
        let total = data.len();
        while !data.is_empty() {
            let take = (LINE_BYTES - self.pending.len()).min(data.len());
            self.pending.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.pending.len() == LINE_BYTES {
                let line = STANDARD.encode(&self.pending);
                self.inner.write_all(line.as_bytes())?;
                self.inner.write_all(b"\n")?;
                self.pending.clear();
            }
        }
        Ok(total)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Begin,
    Body,
    /// The last (short or padded) body line was read: END must follow.
    Last,
    Done,
}

/// Reads an armored file, giving the binary age file. Errors carry
/// [`Error::Armor`].
pub struct ArmoredReader<R: Read> {
    inner: BufReader<R>,
    state: State,
    decoded: Vec<u8>,
    pos: usize,
}

impl<R: Read> ArmoredReader<R> {
    /// Reads the armor from `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner: BufReader::new(inner),
            state: State::Begin,
            decoded: Vec::with_capacity(LINE_BYTES),
            pos: 0,
        }
    }

    /// The next line without its LF or CRLF, at most `COLUMNS + 2` bytes;
    /// `None` at the end of input. `ended` says whether it had a line end.
    fn line(&mut self) -> io::Result<Option<(Vec<u8>, bool)>> {
        let mut line = Vec::with_capacity(COLUMNS + 2);
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok((!line.is_empty()).then_some((line, false)));
            }
            let (take, done) = match buf.iter().position(|&c| c == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            if line.len() + take > COLUMNS + 2 + BEGIN.len() {
                return Err(armor_error("line too long"));
            }
            line.extend_from_slice(&buf[..take]);
            self.inner.consume(take);
            if done {
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Some((line, true)));
            }
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.pos == self.decoded.len() && self.state != State::Done {
            self.decoded.clear();
            self.pos = 0;
            match self.state {
                State::Begin => {
                    // Whitespace may come before the block.
                    let first = loop {
                        match self.line()? {
                            None => return Err(armor_error("no BEGIN line")),
                            Some((l, _)) if l.iter().all(u8::is_ascii_whitespace) => {}
                            Some((l, _)) => break l,
                        }
                    };
                    let first = first.trim_ascii_start();
                    if first != BEGIN {
                        return Err(armor_error("BEGIN line"));
                    }
                    self.state = State::Body;
                }
                State::Body | State::Last => {
                    let Some((line, ended)) = self.line()? else {
                        return Err(armor_error("no END line"));
                    };
                    if line == END {
                        self.finish_after_end(ended)?;
                        self.state = State::Done;
                        continue;
                    }
                    if self.state == State::Last || !ended {
                        return Err(armor_error("END line"));
                    }
                    if line.is_empty() || line.len() > COLUMNS {
                        return Err(armor_error("line length"));
                    }
                    let decoded = STANDARD
                        .decode(&line)
                        .map_err(|_| armor_error("base64 is not canonical"))?;
                    if line.len() < COLUMNS || line.ends_with(b"=") {
                        self.state = State::Last;
                    }
                    self.decoded = decoded;
                }
                State::Done => {}
            }
        }
        Ok(())
    }

    /// After END: only whitespace until the end of input.
    fn finish_after_end(&mut self, _ended: bool) -> io::Result<()> {
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            if !buf.iter().all(u8::is_ascii_whitespace) {
                return Err(armor_error("data after the END line"));
            }
            let n = buf.len();
            self.inner.consume(n);
        }
    }
}

impl<R: Read> Read for ArmoredReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.fill()?;
        let n = (self.decoded.len() - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.decoded[self.pos..][..n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn armor_round_trips_at_every_length() {
        for len in [1, 47, 48, 49, 96, 1000] {
            let data: Vec<u8> = (0..len).map(|i: usize| (i % 251) as u8).collect();
            let mut w = ArmoredWriter::new(Vec::new());
            w.write_all(&data).unwrap();
            let text = w.finish().unwrap();
            let mut back = Vec::new();
            ArmoredReader::new(&text[..])
                .read_to_end(&mut back)
                .unwrap_or_else(|e| panic!("{len}: {e}\n{}", String::from_utf8_lossy(&text)));
            assert_eq!(back, data, "{len}");
        }
    }
}
