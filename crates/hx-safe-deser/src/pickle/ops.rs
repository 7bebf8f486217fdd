//! The pickle opcodes (protocols 0 to 5) and a reader that decodes one
//! opcode and its argument at a time, over memory or over any `Read`.

use std::io::Read;

use crate::{Error, Result};

/// Where an opcode's payload (a string, bytes, a text line) is in the input;
/// [`Source::bytes`] gives the bytes while they are still at hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Payload {
    /// Offset of the first byte in the input.
    pub(crate) offset: u64,
    /// Length in bytes.
    pub(crate) len: u64,
    /// Whether the reader kept it (payloads longer than asked are skipped).
    pub(crate) kept: bool,
}

/// The names on a `GLOBAL` or `INST` line pair, copied (`None` if too long
/// or not at hand).
#[derive(Debug)]
pub(crate) struct GlobalName {
    pub(crate) module: Option<Vec<u8>>,
    pub(crate) name: Option<Vec<u8>>,
    /// `INST` rather than `GLOBAL`.
    pub(crate) inst: bool,
}

/// One opcode with its argument.
#[derive(Debug)]
pub(crate) enum Op {
    Mark,
    Stop,
    Pop,
    PopMark,
    Dup,
    /// `INT` text: `01`/`00` are `True`/`False`.
    Int(Payload),
    /// `LONG` text, with an optional trailing `L`.
    Long(Payload),
    BinInt(i32),
    /// `LONG1`/`LONG4`: little-endian two's complement.
    LongBytes(Payload),
    Float(Payload),
    BinFloat(f64),
    None,
    True,
    False,
    /// `STRING`: a quoted Python 2 `str` literal.
    StringText(Payload),
    /// `BINSTRING`/`SHORT_BINSTRING`: Python 2 `str` bytes.
    BinString(Payload),
    /// `UNICODE`: raw-unicode-escape text.
    UnicodeText(Payload),
    /// `BINUNICODE*`: UTF-8.
    Unicode(Payload),
    Bytes(Payload),
    ByteArray(Payload),
    EmptyList,
    Append,
    Appends,
    List,
    EmptyTuple,
    Tuple,
    /// `TUPLE1`, `TUPLE2`, `TUPLE3`.
    TupleN(usize),
    EmptyDict,
    Dict,
    SetItem,
    SetItems,
    EmptySet,
    AddItems,
    FrozenSet,
    Get(u64),
    Put(u64),
    Memoize,
    Proto(u8),
    Frame,
    /// `GLOBAL` (and, with `inst`, `INST`): module and name lines.
    Global(Box<GlobalName>),
    StackGlobal,
    Reduce,
    Build,
    Obj,
    NewObj,
    NewObjEx,
    Ext(i64),
    Persid,
    BinPersid,
    NextBuffer,
    ReadonlyBuffer,
}

impl Op {
    /// The opcode's name in `pickletools`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Mark => "MARK",
            Self::Stop => "STOP",
            Self::Pop => "POP",
            Self::PopMark => "POP_MARK",
            Self::Dup => "DUP",
            Self::Int(_) => "INT",
            Self::Long(_) => "LONG",
            Self::BinInt(_) => "BININT",
            Self::LongBytes(_) => "LONG1",
            Self::Float(_) => "FLOAT",
            Self::BinFloat(_) => "BINFLOAT",
            Self::None => "NONE",
            Self::True => "NEWTRUE",
            Self::False => "NEWFALSE",
            Self::StringText(_) => "STRING",
            Self::BinString(_) => "BINSTRING",
            Self::UnicodeText(_) => "UNICODE",
            Self::Unicode(_) => "BINUNICODE",
            Self::Bytes(_) => "BINBYTES",
            Self::ByteArray(_) => "BYTEARRAY8",
            Self::EmptyList => "EMPTY_LIST",
            Self::Append => "APPEND",
            Self::Appends => "APPENDS",
            Self::List => "LIST",
            Self::EmptyTuple => "EMPTY_TUPLE",
            Self::Tuple => "TUPLE",
            Self::TupleN(_) => "TUPLE1",
            Self::EmptyDict => "EMPTY_DICT",
            Self::Dict => "DICT",
            Self::SetItem => "SETITEM",
            Self::SetItems => "SETITEMS",
            Self::EmptySet => "EMPTY_SET",
            Self::AddItems => "ADDITEMS",
            Self::FrozenSet => "FROZENSET",
            Self::Get(_) => "GET",
            Self::Put(_) => "PUT",
            Self::Memoize => "MEMOIZE",
            Self::Proto(_) => "PROTO",
            Self::Frame => "FRAME",
            Self::Global(g) if g.inst => "INST",
            Self::Global(_) => "GLOBAL",
            Self::StackGlobal => "STACK_GLOBAL",
            Self::Reduce => "REDUCE",
            Self::Build => "BUILD",
            Self::Obj => "OBJ",
            Self::NewObj => "NEWOBJ",
            Self::NewObjEx => "NEWOBJ_EX",
            Self::Ext(_) => "EXT",
            Self::Persid => "PERSID",
            Self::BinPersid => "BINPERSID",
            Self::NextBuffer => "NEXT_BUFFER",
            Self::ReadonlyBuffer => "READONLY_BUFFER",
        }
    }
}

/// Where opcodes come from.
pub(crate) trait Source {
    /// Offset of the next byte.
    fn offset(&self) -> u64;
    /// The next byte, `None` at the end.
    fn next_byte(&mut self) -> Result<Option<u8>>;
    /// Consumes the next `n` bytes, kept if `n <= keep` (otherwise skipped).
    /// Errors if fewer than `n` remain.
    fn take(&mut self, n: u64, keep: usize) -> Result<Payload>;
    /// Consumes the next line and its `\n`; the payload is the line without
    /// it, kept if no longer than `keep`. Errors if no `\n` follows.
    fn line(&mut self, keep: usize) -> Result<Payload>;
    /// The bytes of a kept payload, while they are still at hand (always,
    /// for input in memory; for a reader, within the last [`TAIL`] bytes).
    fn bytes(&self, payload: Payload) -> Option<&[u8]>;
    /// Whether every kept payload stays at hand (input in memory).
    fn retains_all(&self) -> bool {
        false
    }
    /// Opens a frame of `len` bytes at the current offset (the `FRAME`
    /// opcode). Refused inside a frame that has bytes left, as Python's
    /// `_Unframer` refuses it.
    fn open_frame(&mut self, len: u64) -> Result<()>;
    /// Whether no frame has bytes left (checked at `STOP`).
    fn frame_done(&self) -> bool;
    /// The next `n <= 8` bytes as a little-endian integer.
    #[inline]
    fn fixed(&mut self, n: u64) -> Result<u64> {
        let payload = self.take(n, 8)?;
        self.bytes(payload)
            .map_or_else(truncated, |b| Ok(le_u64(b)))
    }
}

fn truncated<T>() -> Result<T> {
    Err(Error::Truncated)
}

/// The error for a read that would run past the end of the open frame.
///
/// CPython's readers disagree on what such a read returns: the C unpickler
/// continues into the bytes after the frame when it holds the whole input,
/// but drops the rest of the frame and reads after it when the frame was read
/// from a file on its own, and the pure-Python `_Unframer` refuses. An
/// attacker can make those readers see different opcodes, so hx refuses
/// every read that crosses a frame's end, whatever it reads.
fn crosses(offset: u64) -> Error {
    malformed(
        "an opcode or its argument crosses the end of its frame",
        offset,
    )
}

fn nested_frame(offset: u64) -> Error {
    malformed("FRAME before the end of the current frame", offset)
}

/// Input held in memory.
pub(crate) struct SliceSource<'a> {
    input: &'a [u8],
    pos: usize,
    /// Reads end here: the end of the open frame, else of the input.
    limit: usize,
    /// Whether a frame is open (it ends at `limit`).
    framed: bool,
    /// Whether the open frame runs past the end of the input (`limit` is
    /// then the input's end, where reading fails as truncated).
    frame_cut: bool,
}

impl<'a> SliceSource<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            pos: 0,
            limit: input.len(),
            framed: false,
            frame_cut: false,
        }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// Makes sure `n` more bytes may be read: within the open frame, or
    /// within the input once a frame is used up.
    #[inline]
    fn room(&mut self, n: usize) -> Result<()> {
        if n <= self.limit - self.pos {
            return Ok(());
        }
        self.room_slow(n)
    }

    #[cold]
    fn room_slow(&mut self, n: usize) -> Result<()> {
        self.leave_used_frame();
        if n <= self.limit - self.pos {
            Ok(())
        } else if self.framed && !self.frame_cut {
            Err(crosses(self.pos as u64))
        } else {
            truncated()
        }
    }

    /// Closes a frame whose bytes are all read.
    fn leave_used_frame(&mut self) {
        if self.framed && !self.frame_cut && self.pos == self.limit {
            self.framed = false;
            self.limit = self.input.len();
        }
    }
}

impl Source for SliceSource<'_> {
    fn offset(&self) -> u64 {
        self.pos as u64
    }

    fn retains_all(&self) -> bool {
        true
    }

    fn open_frame(&mut self, len: u64) -> Result<()> {
        self.leave_used_frame();
        if self.framed {
            return Err(nested_frame(self.pos as u64));
        }
        // A frame past the end of the input is found when a read reaches
        // the end (as for a reader, which cannot know the length).
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        self.framed = true;
        self.frame_cut = len > self.remaining();
        self.limit = self.pos + len.min(self.remaining());
        Ok(())
    }

    fn frame_done(&self) -> bool {
        !self.framed || (self.pos == self.limit && !self.frame_cut)
    }

    #[inline]
    fn next_byte(&mut self) -> Result<Option<u8>> {
        if self.pos >= self.limit {
            self.leave_used_frame();
            if self.pos >= self.limit {
                return Ok(None);
            }
        }
        let byte = self.input[self.pos];
        self.pos += 1;
        Ok(Some(byte))
    }

    #[inline]
    fn take(&mut self, n: u64, keep: usize) -> Result<Payload> {
        let len = usize::try_from(n).unwrap_or(usize::MAX);
        self.room(len)?;
        let offset = self.pos as u64;
        self.pos += len;
        Ok(Payload {
            offset,
            len: n,
            kept: len <= keep,
        })
    }

    fn line(&mut self, keep: usize) -> Result<Payload> {
        self.leave_used_frame();
        let rest = &self.input[self.pos..self.limit];
        let Some(len) = rest.iter().position(|&b| b == b'\n') else {
            return if self.framed && !self.frame_cut {
                Err(crosses(self.pos as u64))
            } else {
                truncated()
            };
        };
        let offset = self.pos as u64;
        self.pos += len + 1;
        Ok(Payload {
            offset,
            len: len as u64,
            kept: len <= keep,
        })
    }

    #[inline(always)]
    fn fixed(&mut self, n: u64) -> Result<u64> {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        self.room(n)?;
        let bytes = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(le_u64(bytes))
    }

    #[inline]
    fn bytes(&self, payload: Payload) -> Option<&[u8]> {
        if !payload.kept {
            return None;
        }
        let start = usize::try_from(payload.offset).ok()?;
        let len = usize::try_from(payload.len).ok()?;
        self.input.get(start..start.checked_add(len)?)
    }
}

/// Input read through a buffer from any `Read`, for files larger than
/// memory. Payloads longer than the buffer are skipped, never kept; the last
/// [`TAIL`] bytes consumed stay at hand for [`Source::bytes`].
pub(crate) struct ReaderSource<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    consumed: u64,
    /// The input offset where the open frame ends, if one is open.
    frame_end: Option<u64>,
}

/// How much [`ReaderSource`] reads at a time.
pub(crate) const READ_BUFFER: usize = 1 << 20;
/// How many consumed bytes [`ReaderSource`] keeps at hand: a string pushed
/// this recently can still be named by `STACK_GLOBAL` or memoized.
pub(crate) const TAIL: usize = 64 << 10;

impl<R: Read> ReaderSource<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            reader,
            buf: vec![0; READ_BUFFER + TAIL],
            start: 0,
            end: 0,
            consumed: 0,
            frame_end: None,
        }
    }

    /// How many more bytes may be read before the open frame ends
    /// (`u64::MAX` outside a frame); closes a frame whose bytes are all
    /// read.
    fn frame_room(&mut self) -> u64 {
        match self.frame_end {
            Some(end) if end > self.consumed => end - self.consumed,
            Some(_) => {
                self.frame_end = None;
                u64::MAX
            }
            None => u64::MAX,
        }
    }

    /// Makes sure `n` more bytes may be read within the open frame.
    fn check_room(&mut self, n: u64) -> Result<()> {
        if n > self.frame_room() {
            return Err(crosses(self.consumed));
        }
        Ok(())
    }

    /// `take` past the fast path: reading more input, skipping long
    /// payloads, checking the frame.
    fn take_slow(&mut self, n: u64, keep: usize) -> Result<Payload> {
        self.check_room(n)?;
        let offset = self.consumed;
        let small = usize::try_from(n)
            .ok()
            .filter(|&n| n <= keep && n <= READ_BUFFER);
        if let Some(len) = small {
            while self.end - self.start < len {
                if !self.fill()? {
                    return truncated();
                }
            }
            self.advance(len);
            return Ok(Payload {
                offset,
                len: n,
                kept: true,
            });
        }
        // Skip: what is buffered, then read past the rest.
        let mut left = n;
        loop {
            let here = (self.end - self.start) as u64;
            let step = here.min(left);
            // step <= here, a buffer length.
            self.advance(usize::try_from(step).unwrap_or(0));
            left -= step;
            if left == 0 {
                return Ok(Payload {
                    offset,
                    len: n,
                    kept: false,
                });
            }
            if !self.fill()? {
                return truncated();
            }
        }
    }

    /// Reads more input after what is buffered, keeping the last [`TAIL`]
    /// consumed bytes; `false` at the end.
    fn fill(&mut self) -> Result<bool> {
        let keep_from = self.start.saturating_sub(TAIL);
        if keep_from > 0 {
            self.buf.copy_within(keep_from..self.end, 0);
            self.end -= keep_from;
            self.start -= keep_from;
        }
        if self.end == self.buf.len() {
            return Ok(true);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn advance(&mut self, n: usize) {
        self.start += n;
        self.consumed += n as u64;
    }
}

impl<R: Read> Source for ReaderSource<R> {
    fn offset(&self) -> u64 {
        self.consumed
    }

    fn open_frame(&mut self, len: u64) -> Result<()> {
        if self.frame_room() != u64::MAX {
            return Err(nested_frame(self.consumed));
        }
        // A frame past the end of the input is found when a read reaches it.
        self.frame_end = Some(self.consumed.saturating_add(len));
        Ok(())
    }

    fn frame_done(&self) -> bool {
        self.frame_end.is_none_or(|end| end <= self.consumed)
    }

    #[inline]
    fn next_byte(&mut self) -> Result<Option<u8>> {
        if self.frame_end.is_some() {
            self.frame_room();
        }
        if self.start == self.end && !self.fill()? {
            return Ok(None);
        }
        let byte = self.buf[self.start];
        self.advance(1);
        Ok(Some(byte))
    }

    #[inline]
    fn take(&mut self, n: u64, keep: usize) -> Result<Payload> {
        // Fast path: a short payload already buffered, within its frame.
        if let Ok(len) = usize::try_from(n)
            && len <= keep
            && len <= self.end - self.start
            && self.frame_end.is_none_or(|end| self.consumed + n <= end)
        {
            let offset = self.consumed;
            self.advance(len);
            return Ok(Payload {
                offset,
                len: n,
                kept: true,
            });
        }
        self.take_slow(n, keep)
    }

    #[inline]
    fn fixed(&mut self, n: u64) -> Result<u64> {
        let len = usize::try_from(n).unwrap_or(usize::MAX);
        if len <= self.end - self.start && self.frame_end.is_none_or(|end| self.consumed + n <= end)
        {
            let value = le_u64(&self.buf[self.start..self.start + len]);
            self.advance(len);
            return Ok(value);
        }
        let payload = self.take_slow(n, 8)?;
        self.bytes(payload)
            .map_or_else(truncated, |b| Ok(le_u64(b)))
    }

    fn line(&mut self, keep: usize) -> Result<Payload> {
        let offset = self.consumed;
        // The line and its newline must end within the open frame.
        let room = self.frame_room();
        let mut len = 0u64;
        loop {
            let left = usize::try_from(room - len).unwrap_or(usize::MAX);
            let window = &self.buf[self.start..self.end];
            let window = &window[..window.len().min(left)];
            if let Some(i) = window.iter().position(|&b| b == b'\n') {
                self.advance(i + 1);
                len += i as u64;
                let kept = len <= keep.min(TAIL) as u64;
                return Ok(Payload { offset, len, kept });
            }
            let seen = window.len();
            self.advance(seen);
            len += seen as u64;
            if len == room {
                return Err(crosses(self.consumed));
            }
            if !self.fill()? {
                return truncated();
            }
        }
    }

    fn bytes(&self, payload: Payload) -> Option<&[u8]> {
        if !payload.kept {
            return None;
        }
        // buf[0] is at this offset of the input.
        let base = self.consumed - self.start as u64;
        let from = usize::try_from(payload.offset.checked_sub(base)?).ok()?;
        let len = usize::try_from(payload.len).ok()?;
        self.buf[..self.end].get(from..from.checked_add(len)?)
    }
}

#[inline]
fn le_u64(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// Reads a fixed-size little-endian argument.
#[inline]
fn fixed<S: Source>(src: &mut S, n: u64) -> Result<u64> {
    src.fixed(n)
}

/// A signed 4-byte length (`BINSTRING`, `LONG4`): negative is malformed.
fn signed_len<S: Source>(src: &mut S, offset: u64) -> Result<u64> {
    let raw = fixed(src, 4)?;
    // The low 32 bits as i32.
    let len = i32::from_le_bytes(u32::try_from(raw).unwrap_or(u32::MAX).to_le_bytes());
    u64::try_from(len).map_err(|_| malformed("negative length", offset))
}

pub(crate) fn malformed(reason: &'static str, offset: u64) -> Error {
    Error::Pickle {
        reason,
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
    }
}

/// A decimal index line (`GET`, `PUT`).
fn decimal_line<S: Source>(src: &mut S, offset: u64) -> Result<u64> {
    let line = src.line(24)?;
    let line = src
        .bytes(line)
        .ok_or_else(|| malformed("index too long", offset))?;
    let text =
        core::str::from_utf8(line).map_err(|_| malformed("index is not a number", offset))?;
    text.trim()
        .parse::<u64>()
        .map_err(|_| malformed("index is not a number", offset))
}

/// Decodes the next opcode. `Ok(None)` at the end of the input. Payloads
/// longer than `keep` bytes are skipped (not kept).
// Always inlined: the decoder is the scanner's and the loader's inner loop.
#[inline(always)]
pub(crate) fn next_op<S: Source>(src: &mut S, keep: usize) -> Result<Option<(u64, Op)>> {
    let offset = src.offset();
    let Some(code) = src.next_byte()? else {
        return Ok(None);
    };
    let op = match code {
        b'(' => Op::Mark,
        b'.' => {
            // Python's pickler ends its last frame right after STOP; bytes
            // of a frame left after it would be read differently by the
            // next load of a file than by the bytes that follow.
            if !src.frame_done() {
                return Err(malformed("STOP before the end of its frame", offset));
            }
            Op::Stop
        }
        b'0' => Op::Pop,
        b'1' => Op::PopMark,
        b'2' => Op::Dup,
        b'I' => Op::Int(src.line(keep)?),
        b'L' => Op::Long(src.line(keep)?),
        b'J' => {
            let raw = fixed(src, 4)?;
            Op::BinInt(i32::from_le_bytes(
                u32::try_from(raw).unwrap_or(0).to_le_bytes(),
            ))
        }
        b'K' => Op::BinInt(i32::from(u8::try_from(fixed(src, 1)?).unwrap_or(0))),
        b'M' => Op::BinInt(i32::from(u16::try_from(fixed(src, 2)?).unwrap_or(0))),
        0x8a => {
            let n = fixed(src, 1)?;
            Op::LongBytes(src.take(n, keep)?)
        }
        0x8b => {
            let n = signed_len(src, offset)?;
            Op::LongBytes(src.take(n, keep)?)
        }
        b'F' => Op::Float(src.line(keep)?),
        b'G' => Op::BinFloat(f64::from_bits(fixed(src, 8)?.swap_bytes())),
        b'N' => Op::None,
        0x88 => Op::True,
        0x89 => Op::False,
        b'S' => Op::StringText(src.line(keep)?),
        b'T' => {
            let n = signed_len(src, offset)?;
            Op::BinString(src.take(n, keep)?)
        }
        b'U' => {
            let n = fixed(src, 1)?;
            Op::BinString(src.take(n, keep)?)
        }
        b'V' => Op::UnicodeText(src.line(keep)?),
        b'X' => {
            let n = fixed(src, 4)?;
            Op::Unicode(src.take(n, keep)?)
        }
        0x8c => {
            let n = fixed(src, 1)?;
            Op::Unicode(src.take(n, keep)?)
        }
        0x8d => {
            let n = fixed(src, 8)?;
            Op::Unicode(src.take(n, keep)?)
        }
        b'B' => {
            let n = fixed(src, 4)?;
            Op::Bytes(src.take(n, keep)?)
        }
        b'C' => {
            let n = fixed(src, 1)?;
            Op::Bytes(src.take(n, keep)?)
        }
        0x8e => {
            let n = fixed(src, 8)?;
            Op::Bytes(src.take(n, keep)?)
        }
        0x96 => {
            let n = fixed(src, 8)?;
            Op::ByteArray(src.take(n, keep)?)
        }
        b']' => Op::EmptyList,
        b'a' => Op::Append,
        b'e' => Op::Appends,
        b'l' => Op::List,
        b')' => Op::EmptyTuple,
        b't' => Op::Tuple,
        0x85 => Op::TupleN(1),
        0x86 => Op::TupleN(2),
        0x87 => Op::TupleN(3),
        b'}' => Op::EmptyDict,
        b'd' => Op::Dict,
        b's' => Op::SetItem,
        b'u' => Op::SetItems,
        0x8f => Op::EmptySet,
        0x90 => Op::AddItems,
        0x91 => Op::FrozenSet,
        b'g' => Op::Get(decimal_line(src, offset)?),
        b'h' => Op::Get(fixed(src, 1)?),
        b'j' => Op::Get(fixed(src, 4)?),
        b'p' => Op::Put(decimal_line(src, offset)?),
        b'q' => Op::Put(fixed(src, 1)?),
        b'r' => Op::Put(fixed(src, 4)?),
        0x94 => Op::Memoize,
        0x80 => Op::Proto(u8::try_from(fixed(src, 1)?).unwrap_or(u8::MAX)),
        0x95 => {
            let len = fixed(src, 8)?;
            src.open_frame(len)?;
            Op::Frame
        }
        b'c' | b'i' => {
            // Module and name lines, copied: both are needed at once, and
            // globals are rare. Longer names come back as `None`
            // (unresolved).
            let module = src.line(GLOBAL_NAME_KEEP)?;
            let module = src.bytes(module).map(<[u8]>::to_vec);
            let name = src.line(GLOBAL_NAME_KEEP)?;
            let name = src.bytes(name).map(<[u8]>::to_vec);
            Op::Global(Box::new(GlobalName {
                module,
                name,
                inst: code == b'i',
            }))
        }
        0x93 => Op::StackGlobal,
        b'R' => Op::Reduce,
        b'b' => Op::Build,
        b'o' => Op::Obj,
        0x81 => Op::NewObj,
        0x92 => Op::NewObjEx,
        0x82 => Op::Ext(i64::try_from(fixed(src, 1)?).unwrap_or(0)),
        0x83 => Op::Ext(i64::try_from(fixed(src, 2)?).unwrap_or(0)),
        0x84 => {
            let raw = fixed(src, 4)?;
            Op::Ext(i64::from(i32::from_le_bytes(
                u32::try_from(raw).unwrap_or(0).to_le_bytes(),
            )))
        }
        b'P' => {
            src.line(0)?;
            Op::Persid
        }
        b'Q' => Op::BinPersid,
        0x97 => Op::NextBuffer,
        0x98 => Op::ReadonlyBuffer,
        _ => return Err(malformed("unknown opcode", offset)),
    };
    Ok(Some((offset, op)))
}

/// The longest module or name kept from a `GLOBAL` line.
pub(crate) const GLOBAL_NAME_KEEP: usize = 256;

/// The memo: Python's pickler numbers entries 0, 1, 2, ..., so they live in a
/// vector; other indices (hand-made pickles) go to a map of at most
/// [`SPARSE_MAX`] entries. Both count towards the limit, which is checked
/// before an entry is stored.
pub(crate) struct Memo<T: Copy> {
    dense: Vec<Option<T>>,
    sparse: std::collections::HashMap<u64, T>,
    count: usize,
    max: usize,
}

/// The most memo entries at indices out of sequence.
pub(crate) const SPARSE_MAX: usize = 1 << 16;

impl<T: Copy> Memo<T> {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            dense: Vec::new(),
            sparse: std::collections::HashMap::new(),
            count: 0,
            max,
        }
    }

    /// The number of entries (the index `MEMOIZE` uses next).
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Stores `value` at `index`; a new entry past the limit is refused
    /// (and not stored).
    pub(crate) fn put(&mut self, index: u64, value: T) -> Result<()> {
        let dense_len = self.dense.len() as u64;
        if index < dense_len {
            // index < dense.len(), a usize.
            let slot = &mut self.dense[usize::try_from(index).unwrap_or(0)];
            if slot.is_none() {
                if self.count >= self.max {
                    return Err(Error::MemoLimit { max: self.max });
                }
                self.count += 1;
            }
            *slot = Some(value);
            return Ok(());
        }
        if index == dense_len {
            if self.sparse.is_empty() || self.sparse.remove(&index).is_none() {
                if self.count >= self.max {
                    return Err(Error::MemoLimit { max: self.max });
                }
                self.count += 1;
            }
            self.dense.push(Some(value));
            return Ok(());
        }
        if let Some(slot) = self.sparse.get_mut(&index) {
            *slot = value;
            return Ok(());
        }
        if self.count >= self.max || self.sparse.len() >= SPARSE_MAX {
            return Err(Error::MemoLimit {
                max: self.max.min(SPARSE_MAX),
            });
        }
        self.count += 1;
        self.sparse.insert(index, value);
        Ok(())
    }

    pub(crate) fn get(&self, index: u64) -> Option<T> {
        match usize::try_from(index).ok().and_then(|i| self.dense.get(i)) {
            Some(slot) => *slot,
            None => self.sparse.get(&index).copied(),
        }
    }
}
