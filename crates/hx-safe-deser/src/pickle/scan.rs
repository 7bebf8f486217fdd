//! The scanner: walks the opcodes once, tracking only which stack entries
//! and memo entries are constant strings, and lists every global the pickle
//! would import. Nothing is built; payloads are skipped.
//!
//! A string on the stack is a reference to where it is in the input (read
//! back only if `STACK_GLOBAL` names it or it is memoized); memoized strings
//! are copied into one byte arena. Memo entries are 8 bytes, stack entries
//! 16, so memory stays proportional to the pickle's memo, not its size.

use std::collections::HashMap;
use std::num::NonZeroU64;

use super::globals::{Verdict, verdict};
use super::ops::{Op, Payload, Source, malformed, next_op};
use super::text;
use super::{Finding, LoadOptions, Report};
use crate::Error;

/// Strings up to this long are tracked (module and attribute names); longer
/// ones named by `STACK_GLOBAL` come out [`Verdict::Unresolved`].
const KEEP: usize = 62;

/// The most bytes of memoized strings kept; beyond, strings are no longer
/// tracked (a global built from one comes out unresolved, never allowed).
const ARENA_MAX: usize = 8 << 20;

/// The deepest stack, and the most open MARKs, the scanner tracks (at most
/// `Limits::max_seq_len`): 8 MiB and 4 MiB of tracking state. Python's
/// pickler never stacks more than its nesting depth plus a batch of 1,000.
const STACK_MAX: usize = 1 << 19;

/// The most distinct globals listed; a pickle naming more is refused
/// ([`Error::TooManyGlobals`]). Real checkpoints name a few dozen.
pub(crate) const FINDINGS_MAX: usize = 4096;

/// What the scanner knows about a stack entry.
#[derive(Clone, Copy)]
enum Sym {
    Other,
    /// A string still in the input, at this offset.
    Input {
        offset: u64,
        len: u8,
    },
    /// A string in the arena.
    Arena {
        at: u32,
        len: u8,
    },
}

/// The scanner's memo: which indices are set (a `GET` of one that is not is
/// malformed, as in CPython) and, for the first [`DENSE_MAX`] indices, which
/// hold a tracked string. Python's pickler numbers entries 0, 1, 2, ..., so
/// a pickle of any size is scanned: entries past [`DENSE_MAX`] are kept as
/// one bit each (up to [`BITS_MAX`] more), their strings no longer tracked,
/// so a global built from one comes out unresolved, never allowed.
/// Out-of-sequence indices beyond both go to a map of at most
/// [`SPARSE_MAX`](super::ops::SPARSE_MAX) entries ([`Error::MemoLimit`]
/// beyond). At most 16 + 8 + 2 MiB whatever the input.
#[derive(Default)]
struct ScanMemo {
    /// Packed entries of indices below [`DENSE_MAX`]; 0 = not set.
    dense: Vec<u64>,
    /// One bit per index from [`DENSE_MAX`] on.
    bits: Vec<u64>,
    sparse: HashMap<u64, NonZeroU64>,
    count: usize,
}

/// Memo indices whose strings are tracked: 16 MiB of entries.
const DENSE_MAX: u64 = 1 << 21;
/// Memo indices past [`DENSE_MAX`] kept as bits: 8 MiB.
const BITS_MAX: u64 = 1 << 26;

impl ScanMemo {
    fn len(&self) -> usize {
        self.count
    }

    fn put(&mut self, index: u64, entry: NonZeroU64) -> Result<(), Error> {
        if index < DENSE_MAX {
            // index < DENSE_MAX, a usize.
            let i = usize::try_from(index).unwrap_or(0);
            if i >= self.dense.len() {
                self.dense.resize(i + 1, 0);
            }
            if self.dense[i] == 0 {
                self.count += 1;
            }
            self.dense[i] = entry.get();
            return Ok(());
        }
        let bit = index - DENSE_MAX;
        if bit < BITS_MAX {
            let word = usize::try_from(bit / 64).unwrap_or(0);
            if word >= self.bits.len() {
                self.bits.resize(word + 1, 0);
            }
            let mask = 1u64 << (bit % 64);
            if self.bits[word] & mask == 0 {
                self.count += 1;
            }
            self.bits[word] |= mask;
            return Ok(());
        }
        if self.sparse.len() >= super::ops::SPARSE_MAX && !self.sparse.contains_key(&index) {
            return Err(Error::MemoLimit {
                max: super::ops::SPARSE_MAX,
            });
        }
        if self.sparse.insert(index, OTHER).is_none() {
            self.count += 1;
        }
        Ok(())
    }

    fn get(&self, index: u64) -> Option<NonZeroU64> {
        if index < DENSE_MAX {
            let i = usize::try_from(index).ok()?;
            return self.dense.get(i).copied().and_then(NonZeroU64::new);
        }
        let bit = index - DENSE_MAX;
        if bit < BITS_MAX {
            let word = self.bits.get(usize::try_from(bit / 64).ok()?)?;
            return (word & (1 << (bit % 64)) != 0).then_some(OTHER);
        }
        self.sparse.get(&index).copied()
    }

    fn clear(&mut self) {
        self.dense.clear();
        self.bits.clear();
        self.sparse.clear();
        self.count = 0;
    }
}

/// A memo entry that is not a tracked string.
const OTHER: NonZeroU64 = NonZeroU64::MAX;
/// Memo entries for strings: where (input offset or arena position) << 6 |
/// length, plus this flag for strings still in the input.
const IN_INPUT: u64 = 1 << 62;

/// A stack entry as a memo entry.
fn pack(sym: Sym) -> NonZeroU64 {
    let packed = match sym {
        Sym::Other => return OTHER,
        Sym::Input { offset, len } if offset < 1 << 55 => IN_INPUT | offset << 6 | u64::from(len),
        Sym::Input { .. } => return OTHER,
        Sym::Arena { at, len } => u64::from(at) << 6 | u64::from(len),
    };
    NonZeroU64::new(packed + 1).unwrap_or(OTHER)
}

/// A memo entry as a stack entry.
fn unpack(entry: NonZeroU64) -> Sym {
    if entry == OTHER {
        return Sym::Other;
    }
    let packed = entry.get() - 1;
    let len = (packed & 0x3f) as u8;
    let at = (packed & !IN_INPUT) >> 6;
    if packed & IN_INPUT != 0 {
        Sym::Input { offset: at, len }
    } else {
        Sym::Arena {
            at: u32::try_from(at).unwrap_or(u32::MAX),
            len,
        }
    }
}

struct Scanner<'o> {
    options: &'o LoadOptions,
    stack: Vec<Sym>,
    marks: Vec<usize>,
    memo: ScanMemo,
    arena: Vec<u8>,
    findings: Vec<Finding>,
    index: HashMap<(String, String), usize>,
    problem: Option<Error>,
    pickles: usize,
}

/// Scans everything `src` holds; see [`super::scan`].
pub(crate) fn scan<S: Source>(src: &mut S, options: &LoadOptions) -> Result<Report, Error> {
    scan_pickles(src, options, usize::MAX)
}

/// Scans at most `max_pickles` pickles from `src` (what follows them is
/// not read: the raw storage data of a legacy PyTorch file).
pub(crate) fn scan_pickles<S: Source>(
    src: &mut S,
    options: &LoadOptions,
    max_pickles: usize,
) -> Result<Report, Error> {
    let mut scanner = Scanner {
        options,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: ScanMemo::default(),
        arena: Vec::new(),
        findings: Vec::new(),
        index: HashMap::new(),
        problem: None,
        pickles: 0,
    };
    let mut in_pickle = false;
    let max = options.limits.max_seq_len.min(STACK_MAX);
    loop {
        match next_op(src, KEEP) {
            Ok(Some((offset, op))) => {
                in_pickle = !matches!(op, Op::Stop);
                scanner.step(offset, op, src);
                if scanner.pickles >= max_pickles {
                    break;
                }
                // Tracking state stays bounded: a stack this deep is refused
                // like an over-long sequence. A step pushes at most one
                // entry, so the vectors stop at `max` entries, before they
                // would double.
                if scanner.stack.len() >= max || scanner.marks.len() >= max {
                    scanner.note(Error::SeqTooLong { max });
                    break;
                }
            }
            Ok(None) => {
                if in_pickle || scanner.pickles == 0 {
                    scanner.note(Error::Truncated);
                }
                break;
            }
            Err(Error::Io(e)) => return Err(Error::Io(e)),
            Err(e) => {
                scanner.note(e);
                break;
            }
        }
    }
    Ok(Report {
        globals: scanner.findings,
        pickles: scanner.pickles,
        bytes: src.offset(),
        problem: scanner.problem,
    })
}

/// A string's length as tracked, if short enough.
fn short(len: u64) -> Option<u8> {
    u8::try_from(len).ok().filter(|&n| usize::from(n) <= KEEP)
}

impl Scanner<'_> {
    /// Keeps the first problem; the scan goes on where it can.
    fn note(&mut self, problem: Error) {
        if self.problem.is_none() {
            self.problem = Some(problem);
        }
    }

    #[inline]
    fn pop(&mut self, offset: u64) -> Sym {
        let base = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= base {
            self.note(malformed("stack underflow", offset));
            return Sym::Other;
        }
        self.stack.pop().unwrap_or(Sym::Other)
    }

    #[inline]
    fn pop_n(&mut self, n: usize, offset: u64) {
        let base = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() < base + n {
            self.note(malformed("stack underflow", offset));
            self.stack.truncate(base);
        } else {
            self.stack.truncate(self.stack.len() - n);
        }
    }

    /// Pops everything since the last MARK, and the MARK; returns how many
    /// items there were.
    fn pop_mark(&mut self, offset: u64) -> usize {
        match self.marks.pop() {
            Some(base) => {
                let items = self.stack.len().saturating_sub(base);
                self.stack.truncate(base);
                items
            }
            None => {
                self.note(malformed("no MARK on the stack", offset));
                let items = self.stack.len();
                self.stack.clear();
                items
            }
        }
    }

    /// The top of the stack (above the last MARK); an empty one is
    /// malformed, as in Python.
    fn top(&mut self, offset: u64) -> Sym {
        let base = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= base {
            self.note(malformed("stack underflow", offset));
            return Sym::Other;
        }
        self.stack.last().copied().unwrap_or(Sym::Other)
    }

    /// Pushes a string that is still in the input.
    fn push_input(&mut self, payload: Payload) {
        let sym = match short(payload.len) {
            Some(len) if payload.kept => Sym::Input {
                offset: payload.offset,
                len,
            },
            _ => Sym::Other,
        };
        self.stack.push(sym);
    }

    /// Pushes a decoded string (text protocol) by copying it into the arena.
    fn push_decoded(&mut self, text: Option<&[u8]>) {
        let sym = text.map_or(Sym::Other, |t| self.keep(t));
        self.stack.push(sym);
    }

    /// Copies `text` into the arena, if it is short and there is room.
    fn keep(&mut self, text: &[u8]) -> Sym {
        let Some(len) = short(text.len() as u64) else {
            return Sym::Other;
        };
        let Ok(at) = u32::try_from(self.arena.len()) else {
            return Sym::Other;
        };
        if self.arena.len() + text.len() > ARENA_MAX {
            return Sym::Other;
        }
        self.arena.extend_from_slice(text);
        Sym::Arena { at, len }
    }

    /// The bytes of a tracked string, if still at hand.
    fn resolve<'a, S: Source>(&'a self, sym: Sym, src: &'a S) -> Option<&'a [u8]> {
        match sym {
            Sym::Other => None,
            Sym::Input { offset, len } => src.bytes(Payload {
                offset,
                len: u64::from(len),
                kept: true,
            }),
            Sym::Arena { at, len } => {
                let at = at as usize;
                self.arena.get(at..at + usize::from(len))
            }
        }
    }

    fn memoize<S: Source>(&mut self, index: u64, offset: u64, src: &S) {
        let mut sym = self.top(offset);
        if let Sym::Input { offset, len } = sym
            && !src.retains_all()
        {
            // Copy the string into the arena while it is at hand.
            let bytes = src.bytes(Payload {
                offset,
                len: u64::from(len),
                kept: true,
            });
            sym = bytes.map_or(Sym::Other, |b| self.keep(b));
            if let Some(top) = self.stack.last_mut() {
                *top = sym;
            }
        }
        // Out-of-sequence indices past their cap are refused before they
        // are stored (the scan is then unsafe).
        if let Err(e) = self.memo.put(index, pack(sym)) {
            self.note(e);
        }
    }

    fn find(
        &mut self,
        module: &str,
        name: &str,
        offset: u64,
        opcode: &'static str,
        verdict: Verdict,
    ) {
        let key = (module.to_owned(), name.to_owned());
        if let Some(&i) = self.index.get(&key) {
            self.findings[i].count += 1;
            return;
        }
        if self.findings.len() >= FINDINGS_MAX {
            self.note(Error::TooManyGlobals { max: FINDINGS_MAX });
            return;
        }
        self.index.insert(key, self.findings.len());
        self.findings.push(Finding {
            module: module.to_owned(),
            name: name.to_owned(),
            verdict,
            count: 1,
            offset,
            opcode,
        });
    }

    fn persistent_verdict(&self) -> Verdict {
        if self.options.persistent_ids_allowed() {
            Verdict::Allowed
        } else {
            Verdict::NotAllowed
        }
    }

    fn global(
        &mut self,
        module: Option<&str>,
        name: Option<&str>,
        offset: u64,
        opcode: &'static str,
    ) {
        match (module, name) {
            (Some(module), Some(name)) => {
                let v = if self.options.profile_covers(module, name) {
                    Verdict::Allowed
                } else {
                    verdict(module, name, |c| self.options.allows(c))
                };
                self.find(module, name, offset, opcode, v);
            }
            _ => self.find("?", "?", offset, opcode, Verdict::Unresolved),
        }
    }

    #[allow(clippy::too_many_lines)]
    fn step<S: Source>(&mut self, offset: u64, op: Op, src: &S) {
        match op {
            Op::Stop => {
                self.pickles += 1;
                self.stack.clear();
                self.marks.clear();
                self.memo.clear();
                self.arena.clear();
            }
            Op::Mark => self.marks.push(self.stack.len()),
            Op::Pop => {
                if self.marks.last().copied() == Some(self.stack.len()) {
                    self.marks.pop();
                } else {
                    self.pop(offset);
                }
            }
            Op::PopMark => {
                self.pop_mark(offset);
            }
            // The items since the MARK go into the container below it.
            Op::Appends | Op::SetItems | Op::AddItems => {
                let items = self.pop_mark(offset);
                if matches!(op, Op::SetItems) && !items.is_multiple_of(2) {
                    self.note(malformed("SETITEMS with an odd number of items", offset));
                }
                self.top(offset);
            }
            Op::Dup => {
                let top = self.top(offset);
                self.stack.push(top);
            }
            Op::Int(_)
            | Op::Long(_)
            | Op::BinInt(_)
            | Op::LongBytes(_)
            | Op::Float(_)
            | Op::BinFloat(_)
            | Op::None
            | Op::True
            | Op::False
            | Op::Bytes(_)
            | Op::ByteArray(_)
            | Op::EmptyList
            | Op::EmptyTuple
            | Op::EmptyDict
            | Op::EmptySet
            | Op::NextBuffer => self.stack.push(Sym::Other),
            Op::Unicode(payload) | Op::BinString(payload) => self.push_input(payload),
            Op::StringText(line) => {
                let text = src.bytes(line).and_then(text::quoted_string);
                self.push_decoded(text.as_deref().filter(|t| t.is_ascii()));
            }
            Op::UnicodeText(line) => {
                let text = src.bytes(line).and_then(text::raw_unicode_escape);
                self.push_decoded(text.as_ref().map(String::as_bytes));
            }
            Op::List | Op::Tuple | Op::FrozenSet | Op::Dict | Op::Obj => {
                let items = self.pop_mark(offset);
                if matches!(op, Op::Dict) && !items.is_multiple_of(2) {
                    self.note(malformed("DICT with an odd number of items", offset));
                }
                if matches!(op, Op::Obj) && items == 0 {
                    self.note(malformed("OBJ without a class", offset));
                }
                self.stack.push(Sym::Other);
            }
            // Opcodes that take a fixed number of entries and leave one:
            // APPEND the item and its list, BUILD the state and its object,
            // SETITEM a key, a value and their dict, the calls their
            // callable and arguments.
            Op::TupleN(_)
            | Op::Append
            | Op::Build
            | Op::SetItem
            | Op::Reduce
            | Op::NewObj
            | Op::NewObjEx => {
                let taken = match op {
                    Op::TupleN(n) => n,
                    Op::SetItem | Op::NewObjEx => 3,
                    _ => 2,
                };
                self.pop_n(taken, offset);
                self.stack.push(Sym::Other);
            }
            Op::Get(index) => {
                let sym = match self.memo.get(index) {
                    Some(entry) => unpack(entry),
                    None => {
                        self.note(malformed("memo entry not found", offset));
                        Sym::Other
                    }
                };
                self.stack.push(sym);
            }
            Op::Put(index) => self.memoize(index, offset, src),
            Op::Memoize => {
                let index = self.memo.len() as u64;
                self.memoize(index, offset, src);
            }
            Op::Proto(_) | Op::Frame | Op::ReadonlyBuffer => {}
            Op::Global(global) => {
                let inst = global.inst;
                let module = global
                    .module
                    .as_deref()
                    .and_then(|m| core::str::from_utf8(m).ok());
                let name = global
                    .name
                    .as_deref()
                    .and_then(|n| core::str::from_utf8(n).ok());
                self.global(module, name, offset, if inst { "INST" } else { "GLOBAL" });
                if inst {
                    self.pop_mark(offset);
                }
                self.stack.push(Sym::Other);
            }
            Op::StackGlobal => {
                let name = self.pop(offset);
                let module = self.pop(offset);
                let text = |sym| {
                    self.resolve(sym, src)
                        .and_then(|b| core::str::from_utf8(b).ok())
                };
                let (module, name) = (
                    text(module).map(str::to_owned),
                    text(name).map(str::to_owned),
                );
                self.global(module.as_deref(), name.as_deref(), offset, "STACK_GLOBAL");
                self.stack.push(Sym::Other);
            }
            Op::Persid => {
                // Not an import, but a call into the loader's
                // persistent_load, which hx's loader refuses.
                self.find(
                    "persistent_load",
                    "(id)",
                    offset,
                    "PERSID",
                    self.persistent_verdict(),
                );
                self.stack.push(Sym::Other);
            }
            Op::BinPersid => {
                self.pop_n(1, offset);
                self.find(
                    "persistent_load",
                    "(id)",
                    offset,
                    "BINPERSID",
                    self.persistent_verdict(),
                );
                self.stack.push(Sym::Other);
            }
            Op::Ext(code) => {
                let code = code.to_string();
                self.find(
                    "copyreg extension",
                    &code,
                    offset,
                    "EXT",
                    Verdict::Unresolved,
                );
                self.stack.push(Sym::Other);
            }
        }
    }
}
