//! The loader: a pickle virtual machine whose only effects are building
//! data. Objects live in an arena so that the memo and the stack share them
//! as Python's unpickler does (a list memoized empty and filled later is the
//! same list everywhere); the tree is built from the arena at the end,
//! copying shared objects within the limits and refusing cycles.

use core::mem::size_of;

use num_bigint::BigInt as Big;

use super::construct::{self, TimeDelta, TimeZone};
use super::globals::Constructor;
use super::ops::{GlobalName, Memo, Op, Payload, SliceSource, Source as _, malformed, next_op};
use super::text;
use super::{BigInt, LoadOptions, Value};
use crate::error::shown;
use crate::{Error, Result};

type Id = u32;

/// An object in the arena.
#[derive(Debug)]
enum Obj {
    None,
    Bool(bool),
    Int(i64),
    Big(Big),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    ByteArray(Vec<u8>),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    FrozenSet(Vec<Id>),
    Callable(Constructor),
    TimeDelta(TimeDelta),
    TimeZone(TimeZone),
}

/// The largest `LONG1`/`LONG4` accepted, in bytes (65,536 bits).
const MAX_LONG_BYTES: usize = 8192;

const NONE: Id = 0;
const FALSE: Id = 1;
const TRUE: Id = 2;

struct Loader<'o> {
    options: &'o LoadOptions,
    objects: Vec<Obj>,
    stack: Vec<Id>,
    marks: Vec<usize>,
    memo: Memo<Id>,
    alloc: usize,
}

/// Decodes a pickle into a [`Value`]; see [`super::load`].
pub(crate) fn load(input: &[u8], options: &LoadOptions) -> Result<Value> {
    let limits = &options.limits;
    if input.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            len: input.len(),
            max: limits.max_bytes,
        });
    }
    let mut src = SliceSource::new(input);
    let mut vm = Loader {
        options,
        objects: vec![Obj::None, Obj::Bool(false), Obj::Bool(true)],
        stack: Vec::new(),
        marks: Vec::new(),
        memo: Memo::new(options.max_memo),
        alloc: 0,
    };
    loop {
        let Some((offset, op)) = next_op(&mut src, usize::MAX)? else {
            return Err(Error::Truncated);
        };
        if let Op::Stop = op {
            let root = vm.pop(offset)?;
            let trailing = src.remaining();
            if trailing > 0 {
                return Err(Error::TrailingBytes { count: trailing });
            }
            let mut build = Build {
                objects: &vm.objects,
                visiting: vec![false; vm.objects.len()],
                alloc: 0,
                options,
                offset,
            };
            return build.value(root, 0);
        }
        vm.step(offset, op, &src)?;
    }
}

fn offset_usize(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

impl Loader<'_> {
    fn charge(&mut self, bytes: usize) -> Result<()> {
        self.alloc = self.alloc.saturating_add(bytes);
        if self.alloc > self.options.limits.max_total_alloc {
            return Err(Error::AllocLimit {
                max: self.options.limits.max_total_alloc,
            });
        }
        Ok(())
    }

    fn check_len(&self, len: usize) -> Result<()> {
        if len > self.options.limits.max_seq_len {
            return Err(Error::SeqTooLong {
                max: self.options.limits.max_seq_len,
            });
        }
        Ok(())
    }

    /// Adds `obj` to the arena, charging its size, and pushes it.
    fn push_new(&mut self, obj: Obj, payload: usize) -> Result<()> {
        self.charge(size_of::<Obj>() + payload)?;
        let id = Id::try_from(self.objects.len()).map_err(|_| Error::AllocLimit {
            max: self.options.limits.max_total_alloc,
        })?;
        self.objects.push(obj);
        self.push(id)
    }

    fn push(&mut self, id: Id) -> Result<()> {
        self.charge(size_of::<Id>())?;
        self.stack.push(id);
        Ok(())
    }

    /// The bottom of the current frame (since the last MARK).
    fn base(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn pop(&mut self, offset: u64) -> Result<Id> {
        if self.stack.len() <= self.base() {
            return Err(malformed("stack underflow", offset));
        }
        self.stack
            .pop()
            .ok_or_else(|| malformed("stack underflow", offset))
    }

    fn top(&self, offset: u64) -> Result<Id> {
        if self.stack.len() <= self.base() {
            return Err(malformed("stack underflow", offset));
        }
        self.stack
            .last()
            .copied()
            .ok_or_else(|| malformed("stack underflow", offset))
    }

    /// Everything pushed since the last MARK, and the MARK.
    fn pop_mark(&mut self, offset: u64) -> Result<Vec<Id>> {
        let base = self
            .marks
            .pop()
            .ok_or_else(|| malformed("no MARK on the stack", offset))?;
        Ok(self.stack.split_off(base))
    }

    fn push_int(&mut self, n: Big) -> Result<()> {
        match i64::try_from(&n) {
            Ok(small) => self.push_new(Obj::Int(small), 0),
            Err(_) => {
                let size = n.bits().div_ceil(8);
                self.push_new(Obj::Big(n), usize::try_from(size).unwrap_or(usize::MAX))
            }
        }
    }

    fn push_str(&mut self, text: String) -> Result<()> {
        let len = text.len();
        self.push_new(Obj::Str(text), len)
    }

    fn push_bytes(&mut self, bytes: &[u8], array: bool) -> Result<()> {
        self.charge(bytes.len())?;
        let obj = if array {
            Obj::ByteArray(bytes.to_vec())
        } else {
            Obj::Bytes(bytes.to_vec())
        };
        self.push_new(obj, 0)
    }

    fn push_container(&mut self, items: Vec<Id>, make: fn(Vec<Id>) -> Obj) -> Result<()> {
        self.check_len(items.len())?;
        let payload = items.len() * size_of::<Id>();
        self.push_new(make(items), payload)
    }

    fn global(&self, module: &[u8], name: &[u8]) -> Result<Constructor> {
        let allowed = core::str::from_utf8(module)
            .ok()
            .zip(core::str::from_utf8(name).ok())
            .and_then(|(m, n)| Constructor::lookup(m, n))
            .filter(|c| self.options.allows(*c));
        allowed.ok_or_else(|| Error::ForbiddenGlobal {
            global: format!("{}.{}", shown(module), shown(name)),
        })
    }

    fn obj(&self, id: Id) -> &Obj {
        // Ids are only made by push_new, as indices of `objects`.
        &self.objects[id as usize]
    }

    fn obj_mut(&mut self, id: Id) -> &mut Obj {
        &mut self.objects[id as usize]
    }

    #[allow(clippy::too_many_lines)]
    fn step(&mut self, offset: u64, op: Op, src: &SliceSource<'_>) -> Result<()> {
        let need = |p: Payload| {
            src.bytes(p)
                .ok_or_else(|| malformed("argument too long", offset))
        };
        match op {
            // `load` handles STOP before calling `step`.
            Op::Stop => Err(malformed("STOP inside the loop", offset)),
            Op::Mark => {
                self.charge(size_of::<usize>())?;
                self.marks.push(self.stack.len());
                Ok(())
            }
            Op::Pop => {
                if self.stack.len() == self.base() && !self.marks.is_empty() {
                    // Python pops the MARK itself when the frame is empty.
                    self.marks.pop();
                    return Ok(());
                }
                self.pop(offset).map(|_| ())
            }
            Op::PopMark => self.pop_mark(offset).map(|_| ()),
            Op::Dup => {
                let top = self.top(offset)?;
                self.push(top)
            }
            Op::Int(line) => {
                let line = need(line)?;
                match line {
                    b"01" => self.push(TRUE),
                    b"00" => self.push(FALSE),
                    _ => {
                        let n = text::decimal(line)
                            .ok_or_else(|| malformed("bad INT literal", offset))?;
                        self.push_int(n)
                    }
                }
            }
            Op::Long(line) => {
                let line = need(line)?;
                let digits = line.strip_suffix(b"L").unwrap_or(line);
                let n =
                    text::decimal(digits).ok_or_else(|| malformed("bad LONG literal", offset))?;
                self.push_int(n)
            }
            Op::BinInt(n) => self.push_new(Obj::Int(i64::from(n)), 0),
            Op::LongBytes(bytes) => {
                let bytes = need(bytes)?;
                if bytes.len() > MAX_LONG_BYTES {
                    return Err(malformed("integer over 65,536 bits", offset));
                }
                self.push_int(Big::from_signed_bytes_le(bytes))
            }
            Op::Float(line) => {
                let x = text::float(need(line)?)
                    .ok_or_else(|| malformed("bad FLOAT literal", offset))?;
                self.push_new(Obj::Float(x), 0)
            }
            Op::BinFloat(x) => self.push_new(Obj::Float(x), 0),
            Op::None => self.push(NONE),
            Op::True => self.push(TRUE),
            Op::False => self.push(FALSE),
            Op::StringText(line) => {
                let bytes = text::quoted_string(need(line)?)
                    .ok_or_else(|| malformed("bad STRING literal", offset))?;
                let text = ascii(bytes).ok_or_else(|| malformed("STRING is not ASCII", offset))?;
                self.push_str(text)
            }
            Op::BinString(bytes) => {
                let text = ascii(need(bytes)?.to_vec())
                    .ok_or_else(|| malformed("BINSTRING is not ASCII", offset))?;
                self.push_str(text)
            }
            Op::UnicodeText(line) => {
                let text = text::raw_unicode_escape(need(line)?)
                    .ok_or_else(|| malformed("bad UNICODE literal", offset))?;
                self.push_str(text)
            }
            Op::Unicode(bytes) => {
                let text = core::str::from_utf8(need(bytes)?).map_err(|_| {
                    malformed("text is not UTF-8 (or holds a lone surrogate)", offset)
                })?;
                self.push_str(text.to_owned())
            }
            Op::Bytes(bytes) => self.push_bytes(need(bytes)?, false),
            Op::ByteArray(bytes) => self.push_bytes(need(bytes)?, true),
            Op::EmptyList => self.push_new(Obj::List(Vec::new()), 0),
            Op::EmptyTuple => self.push_new(Obj::Tuple(Vec::new()), 0),
            Op::EmptyDict => self.push_new(Obj::Dict(Vec::new()), 0),
            Op::EmptySet => self.push_new(Obj::Set(Vec::new()), 0),
            Op::List => {
                let items = self.pop_mark(offset)?;
                self.push_container(items, Obj::List)
            }
            Op::Tuple => {
                let items = self.pop_mark(offset)?;
                self.push_container(items, Obj::Tuple)
            }
            Op::FrozenSet => {
                let items = self.pop_mark(offset)?;
                self.push_container(items, Obj::FrozenSet)
            }
            Op::TupleN(n) => {
                if self.stack.len() < self.base() + n {
                    return Err(malformed("stack underflow", offset));
                }
                let items = self.stack.split_off(self.stack.len() - n);
                self.push_container(items, Obj::Tuple)
            }
            Op::Dict => {
                let items = self.pop_mark(offset)?;
                if items.len() % 2 != 0 {
                    return Err(malformed("DICT with an odd number of items", offset));
                }
                let pairs: Vec<(Id, Id)> = items.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect();
                self.check_len(pairs.len())?;
                let payload = pairs.len() * size_of::<(Id, Id)>();
                self.push_new(Obj::Dict(pairs), payload)
            }
            Op::Append => {
                let item = self.pop(offset)?;
                self.extend_top(vec![item], offset, list_items, NOT_A_LIST)
            }
            Op::Appends => {
                let items = self.pop_mark(offset)?;
                self.extend_top(items, offset, list_items, NOT_A_LIST)
            }
            Op::SetItem => {
                let value = self.pop(offset)?;
                let key = self.pop(offset)?;
                self.extend_top(vec![(key, value)], offset, dict_items, NOT_A_DICT)
            }
            Op::SetItems => {
                let items = self.pop_mark(offset)?;
                if items.len() % 2 != 0 {
                    return Err(malformed("SETITEMS with an odd number of items", offset));
                }
                let pairs = items.chunks_exact(2).map(|kv| (kv[0], kv[1])).collect();
                self.extend_top(pairs, offset, dict_items, NOT_A_DICT)
            }
            Op::AddItems => {
                let items = self.pop_mark(offset)?;
                self.extend_top(
                    items,
                    offset,
                    set_items,
                    "ADDITEMS on something that is not a set",
                )
            }
            Op::Get(index) => {
                let id = self
                    .memo
                    .get(index)
                    .ok_or_else(|| malformed("memo entry not found", offset))?;
                self.push(id)
            }
            Op::Put(index) => {
                let top = self.top(offset)?;
                self.charge(size_of::<(u64, Id)>())?;
                self.memo.put(index, top)
            }
            Op::Memoize => {
                let top = self.top(offset)?;
                self.charge(size_of::<(u64, Id)>())?;
                let index = self.memo.len() as u64;
                self.memo.put(index, top)
            }
            Op::Proto(version) => {
                if version > 5 {
                    return Err(malformed("unsupported pickle protocol", offset));
                }
                Ok(())
            }
            Op::Frame => Ok(()),
            Op::Global(global) => {
                let GlobalName { module, name, inst } = *global;
                let (Some(module), Some(name)) = (module, name) else {
                    return Err(Error::ForbiddenGlobal {
                        global: "(a name too long to show)".to_owned(),
                    });
                };
                let constructor = self.global(&module, &name)?;
                if inst {
                    let args = self.pop_mark(offset)?;
                    let obj = self.construct(constructor, &args, offset)?;
                    self.push_new(obj, 0)
                } else {
                    self.push_new(Obj::Callable(constructor), 0)
                }
            }
            Op::StackGlobal => {
                let name = self.pop(offset)?;
                let module = self.pop(offset)?;
                let (Obj::Str(module), Obj::Str(name)) = (self.obj(module), self.obj(name)) else {
                    return Err(malformed("STACK_GLOBAL needs two strings", offset));
                };
                let (module, name) = (module.clone().into_bytes(), name.clone().into_bytes());
                let constructor = self.global(&module, &name)?;
                self.push_new(Obj::Callable(constructor), 0)
            }
            Op::Reduce | Op::NewObj => {
                let args = self.pop(offset)?;
                let callable = self.pop(offset)?;
                self.call(callable, args, offset)
            }
            Op::NewObjEx => {
                let kwargs = self.pop(offset)?;
                let args = self.pop(offset)?;
                let callable = self.pop(offset)?;
                if !matches!(self.obj(kwargs), Obj::Dict(d) if d.is_empty()) {
                    return Err(malformed("NEWOBJ_EX with keyword arguments", offset));
                }
                self.call(callable, args, offset)
            }
            Op::Obj => {
                let mut items = self.pop_mark(offset)?;
                if items.is_empty() {
                    return Err(malformed("OBJ without a class", offset));
                }
                let callable = items.remove(0);
                let Obj::Callable(constructor) = *self.obj(callable) else {
                    return Err(malformed("OBJ on something that is not a class", offset));
                };
                let obj = self.construct(constructor, &items, offset)?;
                self.push_new(obj, 0)
            }
            Op::Build
            | Op::Ext(_)
            | Op::Persid
            | Op::BinPersid
            | Op::NextBuffer
            | Op::ReadonlyBuffer => Err(Error::ForbiddenOpcode {
                name: op.name(),
                offset: offset_usize(offset),
            }),
        }
    }

    /// Extends the container on top of the stack (the one `target` picks
    /// out, else `not_that` is the error) with `items`, charging them and
    /// holding it to `max_seq_len`.
    fn extend_top<T>(
        &mut self,
        items: Vec<T>,
        offset: u64,
        target: fn(&mut Obj) -> Option<&mut Vec<T>>,
        not_that: &'static str,
    ) -> Result<()> {
        let top = self.top(offset)?;
        self.charge(items.len() * size_of::<T>())?;
        let container = target(self.obj_mut(top)).ok_or_else(|| malformed(not_that, offset))?;
        container.extend(items);
        let len = container.len();
        self.check_len(len)
    }

    fn call(&mut self, callable: Id, args: Id, offset: u64) -> Result<()> {
        let Obj::Callable(constructor) = *self.obj(callable) else {
            return Err(malformed(
                "a call on something that is not callable",
                offset,
            ));
        };
        let Obj::Tuple(args) = self.obj(args) else {
            return Err(malformed("call arguments are not a tuple", offset));
        };
        let args = args.clone();
        let obj = self.construct(constructor, &args, offset)?;
        let payload = match &obj {
            Obj::List(v) | Obj::Set(v) | Obj::FrozenSet(v) => v.len() * size_of::<Id>(),
            Obj::Dict(v) => v.len() * size_of::<(Id, Id)>(),
            Obj::Str(s) => s.len(),
            Obj::Bytes(b) | Obj::ByteArray(b) => b.len(),
            _ => 0,
        };
        self.push_new(obj, payload)
    }

    /// Runs hx's stand-in for an allowed callable.
    fn construct(&self, constructor: Constructor, args: &[Id], offset: u64) -> Result<Obj> {
        let bad = || malformed("arguments the constructor does not take", offset);
        let args: Vec<&Obj> = args.iter().map(|&id| self.obj(id)).collect();
        let elements = |obj: &Obj| match obj {
            Obj::List(v) | Obj::Tuple(v) | Obj::Set(v) | Obj::FrozenSet(v) => Some(v.clone()),
            _ => None,
        };
        let int = |obj: &Obj| match obj {
            Obj::Int(n) => Some(*n),
            Obj::Bool(b) => Some(i64::from(*b)),
            _ => None,
        };
        let zone = |obj: &Obj| match obj {
            Obj::TimeZone(z) => Some(z.clone()),
            _ => None,
        };
        let obj = match (constructor, args.as_slice()) {
            (Constructor::Set, []) => Obj::Set(Vec::new()),
            (Constructor::Set, [items]) => Obj::Set(elements(items).ok_or_else(bad)?),
            (Constructor::FrozenSet, []) => Obj::FrozenSet(Vec::new()),
            (Constructor::FrozenSet, [items]) => Obj::FrozenSet(elements(items).ok_or_else(bad)?),
            (Constructor::ByteArray, []) => Obj::ByteArray(Vec::new()),
            (Constructor::ByteArray, [Obj::Bytes(b)]) => Obj::ByteArray(b.clone()),
            (Constructor::Bytes, []) => Obj::Bytes(Vec::new()),
            (Constructor::Bytes, [Obj::Bytes(b)]) => Obj::Bytes(b.clone()),
            (
                Constructor::ByteArray | Constructor::Bytes | Constructor::CodecsEncode,
                [Obj::Str(text), Obj::Str(encoding)],
            ) => {
                if !construct::is_latin1(encoding) {
                    return Err(malformed("an encoding other than Latin-1", offset));
                }
                let bytes = construct::latin1_bytes(text).ok_or_else(bad)?;
                if constructor == Constructor::ByteArray {
                    Obj::ByteArray(bytes)
                } else {
                    Obj::Bytes(bytes)
                }
            }
            (Constructor::CodecsEncode, [Obj::Str(text)]) => Obj::Bytes(text.clone().into_bytes()),
            (Constructor::OrderedDict, []) => Obj::Dict(Vec::new()),
            (Constructor::OrderedDict, [items]) => {
                let pairs = elements(items).ok_or_else(bad)?;
                let pairs = pairs
                    .iter()
                    .map(|&p| match elements(self.obj(p)).as_deref() {
                        Some(&[k, v]) => Some((k, v)),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(bad)?;
                Obj::Dict(pairs)
            }
            (Constructor::Decimal, [Obj::Str(text)]) => {
                let plausible = !text.is_empty()
                    && text.len() <= text::MAX_DECIMAL_DIGITS
                    && text.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.' | b'_')
                    });
                if !plausible {
                    return Err(bad());
                }
                Obj::Str(text.clone())
            }
            (Constructor::DateTime, [Obj::Bytes(state)]) => {
                Obj::Str(construct::datetime_text(state, None).ok_or_else(bad)?)
            }
            (Constructor::DateTime, [Obj::Bytes(state), tz]) => {
                let tz = zone(tz).ok_or_else(bad)?;
                Obj::Str(construct::datetime_text(state, Some(&tz)).ok_or_else(bad)?)
            }
            (Constructor::Date, [Obj::Bytes(state)]) => {
                Obj::Str(construct::date_text(state).ok_or_else(bad)?)
            }
            (Constructor::Time, [Obj::Bytes(state)]) => {
                Obj::Str(construct::time_text(state, None).ok_or_else(bad)?)
            }
            (Constructor::Time, [Obj::Bytes(state), tz]) => {
                let tz = zone(tz).ok_or_else(bad)?;
                Obj::Str(construct::time_text(state, Some(&tz)).ok_or_else(bad)?)
            }
            (Constructor::TimeDelta, [days, seconds, micros]) => {
                let (d, s, u) = (
                    int(days).ok_or_else(bad)?,
                    int(seconds).ok_or_else(bad)?,
                    int(micros).ok_or_else(bad)?,
                );
                Obj::TimeDelta(TimeDelta::new(d, s, u).ok_or_else(bad)?)
            }
            (Constructor::TimeZone, [Obj::TimeDelta(offset_td)]) => {
                Obj::TimeZone(TimeZone::new(*offset_td, None).ok_or_else(bad)?)
            }
            (Constructor::TimeZone, [Obj::TimeDelta(offset_td), Obj::Str(name)]) => {
                Obj::TimeZone(TimeZone::new(*offset_td, Some(name.clone())).ok_or_else(bad)?)
            }
            _ => return Err(bad()),
        };
        Ok(obj)
    }
}

const NOT_A_LIST: &str = "APPEND on something that is not a list";
const NOT_A_DICT: &str = "SETITEM on something that is not a dict";

fn list_items(obj: &mut Obj) -> Option<&mut Vec<Id>> {
    match obj {
        Obj::List(items) => Some(items),
        _ => None,
    }
}

fn set_items(obj: &mut Obj) -> Option<&mut Vec<Id>> {
    match obj {
        Obj::Set(items) => Some(items),
        _ => None,
    }
}

fn dict_items(obj: &mut Obj) -> Option<&mut Vec<(Id, Id)>> {
    match obj {
        Obj::Dict(pairs) => Some(pairs),
        _ => None,
    }
}

/// Python 3 reads Python 2 `str` as ASCII by default.
fn ascii(bytes: Vec<u8>) -> Option<String> {
    if bytes.is_ascii() {
        String::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// Builds the value tree from the arena.
struct Build<'a> {
    objects: &'a [Obj],
    visiting: Vec<bool>,
    alloc: usize,
    options: &'a LoadOptions,
    offset: u64,
}

impl Build<'_> {
    fn charge(&mut self, bytes: usize) -> Result<()> {
        self.alloc = self.alloc.saturating_add(bytes);
        let max = self.options.limits.max_total_alloc;
        if self.alloc > max {
            return Err(Error::AllocLimit { max });
        }
        Ok(())
    }

    fn value(&mut self, id: Id, depth: usize) -> Result<Value> {
        self.charge(size_of::<Value>())?;
        let index = id as usize;
        let obj = &self.objects[index];
        let container = matches!(
            obj,
            Obj::List(_) | Obj::Tuple(_) | Obj::Dict(_) | Obj::Set(_) | Obj::FrozenSet(_)
        );
        if !container {
            return self.scalar(obj);
        }
        if depth >= self.options.limits.max_depth {
            return Err(Error::DepthLimit {
                max: self.options.limits.max_depth,
            });
        }
        if self.visiting[index] {
            return Err(Error::Recursive);
        }
        self.visiting[index] = true;
        let objects = self.objects;
        let value = match &objects[index] {
            Obj::List(items) => Value::List(self.values(items, depth)?),
            Obj::Tuple(items) => Value::Tuple(self.values(items, depth)?),
            Obj::Set(items) => Value::Set(self.values(items, depth)?),
            Obj::FrozenSet(items) => Value::FrozenSet(self.values(items, depth)?),
            Obj::Dict(pairs) => {
                let mut out = Vec::with_capacity(pairs.len());
                for &(k, v) in pairs {
                    out.push((self.value(k, depth + 1)?, self.value(v, depth + 1)?));
                }
                Value::Dict(out)
            }
            _ => return Err(malformed("not a container", self.offset)),
        };
        self.visiting[index] = false;
        Ok(value)
    }

    fn values(&mut self, items: &[Id], depth: usize) -> Result<Vec<Value>> {
        items.iter().map(|&id| self.value(id, depth + 1)).collect()
    }

    fn scalar(&mut self, obj: &Obj) -> Result<Value> {
        Ok(match obj {
            Obj::None => Value::None,
            Obj::Bool(b) => Value::Bool(*b),
            Obj::Int(n) => Value::Int(*n),
            Obj::Big(n) => {
                self.charge(usize::try_from(n.bits().div_ceil(8)).unwrap_or(usize::MAX))?;
                Value::BigInt(BigInt(n.clone()))
            }
            Obj::Float(x) => Value::Float(*x),
            Obj::Str(s) => {
                self.charge(s.len())?;
                Value::Str(s.clone())
            }
            Obj::Bytes(b) => {
                self.charge(b.len())?;
                Value::Bytes(b.clone())
            }
            Obj::ByteArray(b) => {
                self.charge(b.len())?;
                Value::ByteArray(b.clone())
            }
            Obj::TimeDelta(td) => Value::Str(td.to_python_str()),
            Obj::TimeZone(tz) => Value::Str(tz.to_python_str()),
            Obj::Callable(_) => {
                return Err(malformed("a class or function is not a value", self.offset));
            }
            Obj::List(_) | Obj::Tuple(_) | Obj::Dict(_) | Obj::Set(_) | Obj::FrozenSet(_) => {
                return Err(malformed("not a scalar", self.offset));
            }
        })
    }
}
