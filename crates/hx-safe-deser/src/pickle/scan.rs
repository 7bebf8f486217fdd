//! The scanner: walks the opcodes once, tracking only which stack entries
//! and memo entries are constant strings, and lists every global the pickle
//! would import. Nothing is built; payloads are skipped.

use std::collections::HashMap;

use super::globals::{Verdict, verdict};
use super::ops::{Memo, Op, Source, next_op};
use super::text;
use super::{Finding, LoadOptions, Report};
use crate::Error;

/// Strings up to this long are tracked (module and attribute names); longer
/// ones named by `STACK_GLOBAL` come out [`Verdict::Unresolved`].
const KEEP: usize = 62;

/// A string short enough to track, stored inline.
#[derive(Clone, Copy)]
struct Short {
    len: u8,
    bytes: [u8; KEEP],
}

impl Short {
    fn new(text: &[u8]) -> Option<Self> {
        let len = u8::try_from(text.len())
            .ok()
            .filter(|&n| usize::from(n) <= KEEP)?;
        let mut bytes = [0; KEEP];
        bytes[..text.len()].copy_from_slice(text);
        Some(Self { len, bytes })
    }

    fn as_str(&self) -> &str {
        // Only built from `&str`.
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

/// What the scanner knows about a stack entry.
#[derive(Clone, Copy)]
enum Sym {
    Str(Short),
    Other,
}

/// A memo entry that is not a tracked string.
const OTHER: u32 = u32::MAX;

struct Scanner<'o> {
    options: &'o LoadOptions,
    stack: Vec<Sym>,
    marks: Vec<usize>,
    memo: Memo<u32>,
    strings: Vec<Short>,
    findings: Vec<Finding>,
    index: HashMap<(String, String), usize>,
    problem: Option<Error>,
    pickles: usize,
}

/// Scans everything `src` holds; see [`super::scan`].
pub(crate) fn scan<S: Source>(src: &mut S, options: &LoadOptions) -> Result<Report, Error> {
    let mut scanner = Scanner {
        options,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: Memo::new(options.max_memo),
        strings: Vec::new(),
        findings: Vec::new(),
        index: HashMap::new(),
        problem: None,
        pickles: 0,
    };
    let mut in_pickle = false;
    loop {
        match next_op(src, KEEP) {
            Ok(Some((offset, op))) => {
                in_pickle = !matches!(op, Op::Stop);
                scanner.step(offset, op);
                // Tracking state stays bounded: a stack this deep is refused
                // like an over-long sequence.
                let max = options.limits.max_seq_len;
                if scanner.stack.len() > max || scanner.marks.len() > max {
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

impl Scanner<'_> {
    /// Keeps the first problem; the scan goes on where it can.
    fn note(&mut self, problem: Error) {
        if self.problem.is_none() {
            self.problem = Some(problem);
        }
    }

    fn pop(&mut self, offset: u64) -> Sym {
        let base = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= base {
            self.note(super::ops::malformed("stack underflow", offset));
            return Sym::Other;
        }
        self.stack.pop().unwrap_or(Sym::Other)
    }

    fn pop_mark(&mut self, offset: u64) {
        match self.marks.pop() {
            Some(base) => self.stack.truncate(base),
            None => {
                self.note(super::ops::malformed("no MARK on the stack", offset));
                self.stack.clear();
            }
        }
    }

    fn top(&self) -> Sym {
        self.stack.last().copied().unwrap_or(Sym::Other)
    }

    fn push_text(&mut self, text: Option<&str>) {
        let sym = text
            .and_then(|t| Short::new(t.as_bytes()))
            .map_or(Sym::Other, Sym::Str);
        self.stack.push(sym);
    }

    fn memoize(&mut self, index: u64) {
        let entry = match self.top() {
            Sym::Str(s) if self.strings.len() < self.options.max_memo => {
                self.strings.push(s);
                u32::try_from(self.strings.len() - 1).unwrap_or(OTHER)
            }
            _ => OTHER,
        };
        // Past the memo limit, entries are dropped: a later GET of one is
        // "not a constant string", so a global built from it is unresolved
        // (never wrongly allowed).
        let _ = self.memo.put(index, entry);
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

    fn global(
        &mut self,
        module: Option<&str>,
        name: Option<&str>,
        offset: u64,
        opcode: &'static str,
    ) {
        match (module, name) {
            (Some(module), Some(name)) => {
                let v = verdict(module, name, |c| self.options.allows(c));
                self.find(module, name, offset, opcode, v);
            }
            _ => self.find("?", "?", offset, opcode, Verdict::Unresolved),
        }
    }

    fn step(&mut self, offset: u64, op: Op<'_>) {
        match op {
            Op::Stop => {
                self.pickles += 1;
                self.stack.clear();
                self.marks.clear();
                self.memo.clear();
                self.strings.clear();
            }
            Op::Mark => self.marks.push(self.stack.len()),
            Op::Pop => {
                let base = self.marks.last().copied();
                if base == Some(self.stack.len()) {
                    self.marks.pop();
                } else {
                    self.pop(offset);
                }
            }
            Op::PopMark | Op::Appends | Op::SetItems | Op::AddItems => self.pop_mark(offset),
            Op::Dup => self.stack.push(self.top()),
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
            Op::Persid => {
                // Not an import, but a call into the loader's
                // persistent_load, which hx's loader refuses.
                self.find(
                    "persistent_load",
                    "(id)",
                    offset,
                    "PERSID",
                    Verdict::NotAllowed,
                );
                self.stack.push(Sym::Other);
            }
            Op::StringText(line) => {
                let text = line
                    .and_then(text::quoted_string)
                    .and_then(|b| String::from_utf8(b).ok());
                self.push_text(text.as_deref().filter(|t| t.is_ascii()));
            }
            Op::BinString(bytes) => {
                let text = bytes.and_then(|b| core::str::from_utf8(b).ok());
                self.push_text(text.filter(|t| t.is_ascii()));
            }
            Op::UnicodeText(line) => {
                let text = line.and_then(text::raw_unicode_escape);
                self.push_text(text.as_deref());
            }
            Op::Unicode(bytes) => {
                let text = bytes.and_then(|b| core::str::from_utf8(b).ok());
                self.push_text(text);
            }
            Op::List | Op::Tuple | Op::FrozenSet | Op::Dict | Op::Obj => {
                self.pop_mark(offset);
                self.stack.push(Sym::Other);
            }
            Op::TupleN(n) => {
                for _ in 0..n {
                    self.pop(offset);
                }
                self.stack.push(Sym::Other);
            }
            Op::Append | Op::Build => {
                self.pop(offset);
            }
            Op::SetItem => {
                self.pop(offset);
                self.pop(offset);
            }
            Op::Get(index) => {
                let sym = match self.memo.get(index) {
                    Some(i) if i != OTHER => self
                        .strings
                        .get(i as usize)
                        .copied()
                        .map_or(Sym::Other, Sym::Str),
                    Some(_) => Sym::Other,
                    None => {
                        self.note(super::ops::malformed("memo entry not found", offset));
                        Sym::Other
                    }
                };
                self.stack.push(sym);
            }
            Op::Put(index) => self.memoize(index),
            Op::Memoize => {
                let index = self.memo.len() as u64;
                self.memoize(index);
            }
            Op::Proto(_) | Op::Frame | Op::ReadonlyBuffer => {}
            Op::Global { module, name, inst } => {
                let module = module.as_deref().and_then(|m| core::str::from_utf8(m).ok());
                let name = name.as_deref().and_then(|n| core::str::from_utf8(n).ok());
                self.global(module, name, offset, if inst { "INST" } else { "GLOBAL" });
                if inst {
                    self.pop_mark(offset);
                }
                self.stack.push(Sym::Other);
            }
            Op::StackGlobal => {
                let name = self.pop(offset);
                let module = self.pop(offset);
                match (module, name) {
                    (Sym::Str(m), Sym::Str(n)) => {
                        self.global(Some(m.as_str()), Some(n.as_str()), offset, "STACK_GLOBAL");
                    }
                    _ => self.global(None, None, offset, "STACK_GLOBAL"),
                }
                self.stack.push(Sym::Other);
            }
            Op::Reduce | Op::NewObj => {
                self.pop(offset);
                self.pop(offset);
                self.stack.push(Sym::Other);
            }
            Op::NewObjEx => {
                for _ in 0..3 {
                    self.pop(offset);
                }
                self.stack.push(Sym::Other);
            }
            Op::BinPersid => {
                self.pop(offset);
                self.find(
                    "persistent_load",
                    "(id)",
                    offset,
                    "BINPERSID",
                    Verdict::NotAllowed,
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
