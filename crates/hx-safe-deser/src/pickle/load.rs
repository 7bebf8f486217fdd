//! The loader: a pickle virtual machine whose only effects are building
//! data. Objects live in an arena so that the memo and the stack share them
//! as Python's unpickler does (a list memoized empty and filled later is the
//! same list everywhere); the tree is built from the arena at the end,
//! copying shared objects within the limits and refusing cycles.

use core::mem::size_of;
use std::borrow::Cow;
use std::sync::Arc;

use num_bigint::BigInt as Big;

use super::construct::{self, TimeDelta, TimeZone};
use super::globals::Constructor;
use super::json::{self, Leaf, Shape, Tree};
use super::keys::Keys;
use super::ops::{GlobalName, Memo, Op, Payload, SliceSource, Source as _, malformed, next_op};
use super::text;
use super::{BigInt, LoadOptions, Value};
use crate::error::shown;
use crate::{Error, Result};

pub(crate) type Id = u32;

/// An object in the arena.
#[derive(Debug)]
pub(crate) enum Obj {
    None,
    Bool(bool),
    Int(i64),
    /// Boxed, as `TimeZone` is, to keep every object 32 bytes.
    Big(Box<Big>),
    Float(f64),
    /// Shared, as Python shares one `str` among its references.
    Str(Arc<str>),
    Bytes(Vec<u8>),
    ByteArray(Vec<u8>),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    FrozenSet(Vec<Id>),
    Callable(Constructor),
    /// What an allowed constructor built, as the text hx gives it
    /// (`Decimal`, `date`, `time`, `datetime`): a `str` in the output, but
    /// not a `str` to Python (never a name, never compared as a key).
    Converted(String),
    TimeDelta(TimeDelta),
    TimeZone(Box<TimeZone>),
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
    keys: Keys,
    /// The protocol `PROTO` declared (0 without one): Python maps Python 2
    /// names such as `__builtin__.set` only below protocol 3.
    proto: u8,
    /// Reused for the items of one MARK batch.
    scratch: Vec<Id>,
}

/// The loader's objects once the pickle is run: the root and the arena.
pub(crate) struct Loaded {
    objects: Vec<Obj>,
    root: Id,
    offset: u64,
}

/// Decodes a pickle into a [`Value`]; see [`super::load`].
pub(crate) fn load(input: &[u8], options: &LoadOptions) -> Result<Value> {
    let loaded = run(input, options)?;
    loaded.value(options)
}

/// Decodes a pickle into its JSON form; see [`super::load_json`].
pub(crate) fn load_json(input: &[u8], options: &LoadOptions) -> Result<String> {
    let loaded = run(input, options)?;
    let mut on_path = vec![false; loaded.objects.len()];
    let root = Node {
        objects: &loaded.objects,
        id: loaded.root,
        offset: loaded.offset,
    };
    // JSON of a pickle is typically under twice its size.
    json::write(
        root,
        input.len().saturating_mul(2),
        options.max_output,
        options.limits.max_depth,
        &mut on_path,
    )
}

/// Runs the pickle machine over `input`.
fn run(input: &[u8], options: &LoadOptions) -> Result<Loaded> {
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
        keys: Keys::new(),
        proto: 0,
        scratch: Vec::new(),
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
            return Ok(Loaded {
                objects: vm.objects,
                root,
                offset,
            });
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

    /// Runs `f` on everything pushed since the last MARK, popped with the
    /// MARK into the reused scratch vector: the batches of `APPENDS`,
    /// `SETITEMS` and `ADDITEMS` cost no allocation.
    fn with_batch(
        &mut self,
        offset: u64,
        f: impl FnOnce(&mut Self, &[Id]) -> Result<()>,
    ) -> Result<()> {
        let base = self
            .marks
            .pop()
            .ok_or_else(|| malformed("no MARK on the stack", offset))?;
        let mut items = core::mem::take(&mut self.scratch);
        items.clear();
        items.extend_from_slice(&self.stack[base..]);
        self.stack.truncate(base);
        let result = f(self, &items);
        self.scratch = items;
        result
    }

    fn push_int(&mut self, n: Big) -> Result<()> {
        match i64::try_from(&n) {
            Ok(small) => self.push_new(Obj::Int(small), 0),
            Err(_) => {
                let size = n.bits().div_ceil(8);
                self.push_new(
                    Obj::Big(Box::new(n)),
                    usize::try_from(size).unwrap_or(usize::MAX),
                )
            }
        }
    }

    fn push_str(&mut self, text: &str) -> Result<()> {
        let len = text.len();
        self.push_new(Obj::Str(Arc::from(text)), len)
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
            .filter(|(m, _)| *m != "__builtin__" || self.proto < 3)
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
                self.push_str(&text)
            }
            Op::BinString(bytes) => {
                let text = ascii(need(bytes)?.to_vec())
                    .ok_or_else(|| malformed("BINSTRING is not ASCII", offset))?;
                self.push_str(&text)
            }
            Op::UnicodeText(line) => {
                let text = text::raw_unicode_escape(need(line)?)
                    .ok_or_else(|| malformed("bad UNICODE literal", offset))?;
                self.push_str(&text)
            }
            Op::Unicode(bytes) => {
                let text = core::str::from_utf8(need(bytes)?).map_err(|_| {
                    malformed("text is not UTF-8 (or holds a lone surrogate)", offset)
                })?;
                self.push_str(text)
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
                self.check_len(items.len())?;
                self.push_constructed(Obj::FrozenSet(items), offset)
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
                self.push_constructed(Obj::Dict(pairs), offset)
            }
            Op::Append => {
                let item = self.pop(offset)?;
                self.list_extend(&[item], offset)
            }
            Op::Appends => self.with_batch(offset, |vm, items| vm.list_extend(items, offset)),
            Op::SetItem => {
                let value = self.pop(offset)?;
                let key = self.pop(offset)?;
                let dict = self.top(offset)?;
                self.dict_extend(dict, [(key, value)].into_iter(), offset)
            }
            Op::SetItems => self.with_batch(offset, |vm, items| {
                if !items.len().is_multiple_of(2) {
                    return Err(malformed("SETITEMS with an odd number of items", offset));
                }
                let dict = vm.top(offset)?;
                let pairs = items.chunks_exact(2).map(|kv| (kv[0], kv[1]));
                vm.dict_extend(dict, pairs, offset)
            }),
            Op::AddItems => self.with_batch(offset, |vm, items| {
                let set = vm.top(offset)?;
                vm.set_extend(set, items, offset)
            }),
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
                self.proto = version;
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
                    self.push_constructed(obj, offset)
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
                let (module, name) = (module.as_bytes().to_vec(), name.as_bytes().to_vec());
                let constructor = self.global(&module, &name)?;
                self.push_new(Obj::Callable(constructor), 0)
            }
            Op::Reduce => {
                let args = self.pop(offset)?;
                let callable = self.pop(offset)?;
                self.call(callable, args, offset)
            }
            Op::NewObj => {
                let args = self.pop(offset)?;
                let class = self.pop(offset)?;
                self.new_object(class, args, offset)
            }
            Op::NewObjEx => {
                let kwargs = self.pop(offset)?;
                let args = self.pop(offset)?;
                let callable = self.pop(offset)?;
                if !matches!(self.obj(kwargs), Obj::Dict(d) if d.is_empty()) {
                    return Err(malformed("NEWOBJ_EX with keyword arguments", offset));
                }
                self.new_object(callable, args, offset)
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
                self.push_constructed(obj, offset)
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

    /// Appends `items` to the list on top of the stack.
    fn list_extend(&mut self, items: &[Id], offset: u64) -> Result<()> {
        let top = self.top(offset)?;
        self.charge(size_of_val(items))?;
        let Obj::List(list) = self.obj_mut(top) else {
            return Err(malformed(NOT_A_LIST, offset));
        };
        list.extend_from_slice(items);
        let len = list.len();
        self.check_len(len)
    }

    /// Inserts `new` into the dict `dict` as Python's `d[k] = v` does, one
    /// pair after the other.
    fn dict_extend(
        &mut self,
        dict: Id,
        new: impl ExactSizeIterator<Item = (Id, Id)>,
        offset: u64,
    ) -> Result<()> {
        let Obj::Dict(pairs) = self.obj_mut(dict) else {
            return Err(malformed(NOT_A_DICT, offset));
        };
        let mut pairs = core::mem::take(pairs);
        let result = self.insert_pairs(dict, &mut pairs, new, offset);
        if let Obj::Dict(slot) = self.obj_mut(dict) {
            *slot = pairs;
        }
        result
    }

    /// Adds `new` to the set `set` as Python's `s.add(x)` does.
    fn set_extend(&mut self, set: Id, new: &[Id], offset: u64) -> Result<()> {
        let Obj::Set(elements) = self.obj_mut(set) else {
            return Err(malformed("ADDITEMS on something that is not a set", offset));
        };
        let mut elements = core::mem::take(elements);
        let result = self.insert_elements(set, &mut elements, new, offset);
        if let Obj::Set(slot) = self.obj_mut(set) {
            *slot = elements;
        }
        result
    }

    /// Inserts `new` into `pairs`, the entries of the dict `dict` (taken
    /// out of the arena meanwhile), charging them and holding the dict to
    /// `max_seq_len`.
    fn insert_pairs(
        &mut self,
        dict: Id,
        pairs: &mut Vec<(Id, Id)>,
        new: impl ExactSizeIterator<Item = (Id, Id)>,
        offset: u64,
    ) -> Result<()> {
        self.charge(new.len() * DICT_ENTRY)?;
        pairs.reserve(new.len());
        for (k, v) in new {
            self.keys
                .dict_insert(&self.objects, dict, pairs, k, v)
                .map_err(|e| at_offset(e, offset))?;
        }
        self.check_len(pairs.len())
    }

    /// Adds `new` to `elements`, those of the set `set`, unless equal ones
    /// are there; charged and held to `max_seq_len`.
    fn insert_elements(
        &mut self,
        set: Id,
        elements: &mut Vec<Id>,
        new: &[Id],
        offset: u64,
    ) -> Result<()> {
        self.charge(new.len() * SET_ENTRY)?;
        elements.reserve(new.len());
        for &item in new {
            self.keys
                .set_insert(&self.objects, set, elements, item)
                .map_err(|e| at_offset(e, offset))?;
        }
        self.check_len(elements.len())
    }

    /// Pushes an object made by a constructor or a container opcode, with
    /// its keys and elements made distinct as Python's would be.
    fn push_constructed(&mut self, obj: Obj, offset: u64) -> Result<()> {
        let id = Id::try_from(self.objects.len()).map_err(|_| Error::AllocLimit {
            max: self.options.limits.max_total_alloc,
        })?;
        let (obj, payload) = match obj {
            Obj::Dict(items) => {
                let mut pairs = Vec::new();
                self.insert_pairs(id, &mut pairs, items.into_iter(), offset)?;
                (Obj::Dict(pairs), 0)
            }
            Obj::Set(items) => {
                let mut elements = Vec::new();
                self.insert_elements(id, &mut elements, &items, offset)?;
                (Obj::Set(elements), 0)
            }
            Obj::FrozenSet(items) => {
                let mut elements = Vec::new();
                self.insert_elements(id, &mut elements, &items, offset)?;
                (Obj::FrozenSet(elements), 0)
            }
            other => {
                let payload = match &other {
                    Obj::List(v) | Obj::Tuple(v) => v.len() * size_of::<Id>(),
                    Obj::Str(s) => s.len(),
                    Obj::Converted(s) => s.len(),
                    Obj::Bytes(b) | Obj::ByteArray(b) => b.len(),
                    _ => 0,
                };
                (other, payload)
            }
        };
        self.push_new(obj, payload)
    }

    /// `NEWOBJ`: `cls.__new__(cls, *args)`, which is not `cls(*args)`: a
    /// function is refused (not a class), and the mutable containers come
    /// out empty (their `__init__`, not run here, is what fills them).
    fn new_object(&mut self, class: Id, args: Id, offset: u64) -> Result<()> {
        let Obj::Callable(constructor) = *self.obj(class) else {
            return Err(malformed("NEWOBJ on something that is not a class", offset));
        };
        if !matches!(self.obj(args), Obj::Tuple(_)) {
            return Err(malformed("call arguments are not a tuple", offset));
        }
        match constructor {
            Constructor::CodecsEncode => {
                Err(malformed("NEWOBJ on something that is not a class", offset))
            }
            Constructor::Set => self.push_new(Obj::Set(Vec::new()), 0),
            Constructor::ByteArray => self.push_new(Obj::ByteArray(Vec::new()), 0),
            Constructor::OrderedDict => self.push_new(Obj::Dict(Vec::new()), 0),
            _ => self.call(class, args, offset),
        }
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
        self.push_constructed(obj, offset)
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
            (Constructor::CodecsEncode, [Obj::Str(text)]) => Obj::Bytes(text.as_bytes().to_vec()),
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
                Obj::Converted(text.to_string())
            }
            (Constructor::DateTime, [Obj::Bytes(state)]) => {
                Obj::Converted(construct::datetime_text(state, None).ok_or_else(bad)?)
            }
            (Constructor::DateTime, [Obj::Bytes(state), tz]) => {
                let tz = zone(tz).ok_or_else(bad)?;
                Obj::Converted(construct::datetime_text(state, Some(&tz)).ok_or_else(bad)?)
            }
            (Constructor::Date, [Obj::Bytes(state)]) => {
                Obj::Converted(construct::date_text(state).ok_or_else(bad)?)
            }
            (Constructor::Time, [Obj::Bytes(state)]) => {
                Obj::Converted(construct::time_text(state, None).ok_or_else(bad)?)
            }
            (Constructor::Time, [Obj::Bytes(state), tz]) => {
                let tz = zone(tz).ok_or_else(bad)?;
                Obj::Converted(construct::time_text(state, Some(&tz)).ok_or_else(bad)?)
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
                Obj::TimeZone(Box::new(TimeZone::new(*offset_td, None).ok_or_else(bad)?))
            }
            (Constructor::TimeZone, [Obj::TimeDelta(offset_td), Obj::Str(name)]) => Obj::TimeZone(
                Box::new(TimeZone::new(*offset_td, Some(name.to_string())).ok_or_else(bad)?),
            ),
            _ => return Err(bad()),
        };
        Ok(obj)
    }
}

/// What a dict entry costs: the pair and its share of a hash index.
const DICT_ENTRY: usize = size_of::<(Id, Id)>() + 16;
/// What a set element costs.
const SET_ENTRY: usize = size_of::<Id>() + 16;

/// A key error from [`Keys`] placed at the opcode that met it.
fn at_offset(e: Error, offset: u64) -> Error {
    match e {
        Error::Pickle { reason, .. } => malformed(reason, offset),
        other => other,
    }
}

const NOT_A_LIST: &str = "APPEND on something that is not a list";
const NOT_A_DICT: &str = "SETITEM on something that is not a dict";

/// Python 3 reads Python 2 `str` as ASCII by default.
fn ascii(bytes: Vec<u8>) -> Option<String> {
    if bytes.is_ascii() {
        String::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// A node of the arena, as the JSON writer walks it.
#[derive(Clone, Copy)]
struct Node<'a> {
    objects: &'a [Obj],
    id: Id,
    /// Where the pickle's STOP is, for errors.
    offset: u64,
}

impl<'a> Tree<'a> for Node<'a> {
    type Elem = Id;

    fn shape(self) -> Result<Shape<'a, Id>> {
        Ok(match &self.objects[self.id as usize] {
            Obj::None => Shape::Leaf(Leaf::None),
            Obj::Bool(b) => Shape::Leaf(Leaf::Bool(*b)),
            Obj::Int(n) => Shape::Leaf(Leaf::Int(*n)),
            Obj::Big(n) => Shape::Leaf(Leaf::Big(n)),
            Obj::Float(x) => Shape::Leaf(Leaf::Float(*x)),
            Obj::Str(s) => Shape::Leaf(Leaf::Str(Cow::Borrowed(s))),
            Obj::Converted(s) => Shape::Leaf(Leaf::Str(Cow::Borrowed(s))),
            Obj::Bytes(b) | Obj::ByteArray(b) => Shape::Leaf(Leaf::Bytes(b)),
            Obj::TimeDelta(td) => Shape::Leaf(Leaf::Str(Cow::Owned(td.to_python_str()))),
            Obj::TimeZone(tz) => Shape::Leaf(Leaf::Str(Cow::Owned(tz.to_python_str()))),
            Obj::List(items) | Obj::Tuple(items) | Obj::Set(items) | Obj::FrozenSet(items) => {
                Shape::Seq(items)
            }
            Obj::Dict(pairs) => Shape::Dict(pairs),
            Obj::Callable(_) => {
                return Err(malformed("a class or function is not a value", self.offset));
            }
        })
    }

    fn child(self, elem: &'a Id) -> Self {
        Self { id: *elem, ..self }
    }

    fn index(self) -> Option<usize> {
        Some(self.id as usize)
    }

    fn text(self) -> Option<&'a str> {
        match &self.objects[self.id as usize] {
            Obj::Str(s) => Some(s),
            Obj::Converted(s) => Some(s),
            _ => None,
        }
    }
}

/// A container of the value tree being built, with its children so far.
struct Open {
    id: Id,
    /// Whether this container is reached more than once (it, or a
    /// container around it, is shared): then nothing under it is moved.
    shared: bool,
    /// What kind of container.
    kind: Kind,
    /// Its elements (not a dict).
    children: Vec<Id>,
    built: Vec<Value>,
    /// A dict's entries, and those built so far (the key of the next one
    /// waits in `key`).
    entries: Vec<(Id, Id)>,
    built_entries: Vec<(Value, Value)>,
    key: Option<Value>,
}

impl Open {
    /// The next child to build, if any is left.
    fn next_child(&self) -> Option<Id> {
        if let Kind::Dict = self.kind {
            let (k, v) = self.entries.get(self.built_entries.len())?;
            Some(if self.key.is_some() { *v } else { *k })
        } else {
            self.children.get(self.built.len()).copied()
        }
    }

    /// Adds a built child.
    fn add(&mut self, value: Value) {
        if let Kind::Dict = self.kind {
            match self.key.take() {
                Some(key) => self.built_entries.push((key, value)),
                None => self.key = Some(value),
            }
        } else {
            self.built.push(value);
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    List,
    Tuple,
    Set,
    FrozenSet,
    Dict,
}

impl Loaded {
    /// Builds the value tree without recursion: shared objects are copied
    /// (each copy charged against the output limit), objects used once are
    /// moved out of the arena, containers nest at most `max_depth` deep,
    /// and one that contains itself is refused.
    fn value(mut self, options: &LoadOptions) -> Result<Value> {
        let max_output = options.max_output;
        let max_depth = options.limits.max_depth;
        let mut size = 0usize;
        let mut charge = |bytes: usize| {
            size = size.saturating_add(bytes);
            if size > max_output {
                return Err(Error::OutputLimit { max: max_output });
            }
            Ok(())
        };
        // How many containers (and the root) refer to each object: one
        // reference means the object can be moved rather than copied.
        let mut uses = vec![0u32; self.objects.len()];
        uses[self.root as usize] = 1;
        for obj in &self.objects {
            match obj {
                Obj::List(v) | Obj::Tuple(v) | Obj::Set(v) | Obj::FrozenSet(v) => {
                    for &id in v {
                        uses[id as usize] = uses[id as usize].saturating_add(1);
                    }
                }
                Obj::Dict(pairs) => {
                    for &(k, v) in pairs {
                        uses[k as usize] = uses[k as usize].saturating_add(1);
                        uses[v as usize] = uses[v as usize].saturating_add(1);
                    }
                }
                _ => {}
            }
        }
        let mut on_path = vec![false; self.objects.len()];
        let mut open: Vec<Open> = Vec::new();
        let mut next = self.root;
        loop {
            // Visit `next`: a leaf goes to its parent, a container opens.
            let index = next as usize;
            charge(size_of::<Value>() + heap_size(&self.objects[index]))?;
            // Moved only if nothing on the way here is reached twice.
            let unique = uses[index] <= 1 && !open.last().is_some_and(|p| p.shared);
            let opened = match &mut self.objects[index] {
                Obj::List(v) => Some((Kind::List, take_or_copy(v, unique), Vec::new())),
                Obj::Tuple(v) => Some((Kind::Tuple, take_or_copy(v, unique), Vec::new())),
                Obj::Set(v) => Some((Kind::Set, take_or_copy(v, unique), Vec::new())),
                Obj::FrozenSet(v) => Some((Kind::FrozenSet, take_or_copy(v, unique), Vec::new())),
                Obj::Dict(pairs) => Some((Kind::Dict, Vec::new(), take_or_copy(pairs, unique))),
                _ => None,
            };
            match opened {
                None => {
                    let leaf = if unique {
                        let obj = core::mem::replace(&mut self.objects[index], Obj::None);
                        self.leaf_owned(obj)?
                    } else {
                        self.leaf(&self.objects[index])?
                    };
                    match open.last_mut() {
                        Some(parent) => parent.add(leaf),
                        None => return Ok(leaf),
                    }
                }
                Some((kind, children, entries)) => {
                    if open.len() >= max_depth {
                        return Err(Error::DepthLimit { max: max_depth });
                    }
                    if on_path[index] {
                        return Err(Error::Recursive);
                    }
                    on_path[index] = true;
                    let count = children.len() + 2 * entries.len();
                    charge(count.saturating_mul(size_of::<Value>()))?;
                    open.push(Open {
                        id: next,
                        shared: !unique,
                        kind,
                        built: Vec::with_capacity(children.len()),
                        children,
                        built_entries: Vec::with_capacity(entries.len()),
                        entries,
                        key: None,
                    });
                }
            }
            // Close every finished container, then pick the next child.
            loop {
                let Some(top) = open.last() else {
                    return Err(malformed("not a value", self.offset));
                };
                if let Some(child) = top.next_child() {
                    next = child;
                    break;
                }
                let Some(finished) = open.pop() else {
                    return Err(malformed("not a value", self.offset));
                };
                on_path[finished.id as usize] = false;
                let value = container(finished);
                match open.last_mut() {
                    Some(parent) => parent.add(value),
                    None => return Ok(value),
                }
            }
        }
    }

    /// A leaf's value, moved out of the arena.
    fn leaf_owned(&self, obj: Obj) -> Result<Value> {
        Ok(match obj {
            Obj::Big(n) => Value::BigInt(BigInt(*n)),
            Obj::Str(s) => Value::Str(s),
            Obj::Converted(s) => Value::Str(s.into()),
            Obj::Bytes(b) => Value::Bytes(b),
            Obj::ByteArray(b) => Value::ByteArray(b),
            other => self.leaf(&other)?,
        })
    }

    fn leaf(&self, obj: &Obj) -> Result<Value> {
        Ok(match obj {
            Obj::None => Value::None,
            Obj::Bool(b) => Value::Bool(*b),
            Obj::Int(n) => Value::Int(*n),
            Obj::Big(n) => Value::BigInt(BigInt((**n).clone())),
            Obj::Float(x) => Value::Float(*x),
            // Shared as Python shares it: no copy.
            Obj::Str(s) => Value::Str(Arc::clone(s)),
            Obj::Converted(s) => Value::Str(s.as_str().into()),
            Obj::Bytes(b) => Value::Bytes(b.clone()),
            Obj::ByteArray(b) => Value::ByteArray(b.clone()),
            Obj::TimeDelta(td) => Value::Str(td.to_python_str().into()),
            Obj::TimeZone(tz) => Value::Str(tz.to_python_str().into()),
            Obj::Callable(_) => {
                return Err(malformed("a class or function is not a value", self.offset));
            }
            Obj::List(_) | Obj::Tuple(_) | Obj::Dict(_) | Obj::Set(_) | Obj::FrozenSet(_) => {
                return Err(malformed("not a scalar", self.offset));
            }
        })
    }
}

/// A container's element ids: taken from an object used once, else copied.
fn take_or_copy<T: Clone>(ids: &mut Vec<T>, unique: bool) -> Vec<T> {
    if unique {
        core::mem::take(ids)
    } else {
        ids.clone()
    }
}

/// The value of a finished container.
fn container(open: Open) -> Value {
    let built = open.built;
    match open.kind {
        Kind::List => Value::List(built),
        Kind::Tuple => Value::Tuple(built),
        Kind::Set => Value::Set(built),
        Kind::FrozenSet => Value::FrozenSet(built),
        Kind::Dict => Value::Dict(open.built_entries),
    }
}

/// The heap bytes the value of a leaf object holds.
fn heap_size(obj: &Obj) -> usize {
    match obj {
        Obj::Str(s) => s.len(),
        Obj::Converted(s) => s.len(),
        Obj::Bytes(b) | Obj::ByteArray(b) => b.len(),
        Obj::Big(n) => usize::try_from(n.bits().div_ceil(8)).unwrap_or(usize::MAX),
        // The text of a timedelta or timezone is short.
        Obj::TimeDelta(_) | Obj::TimeZone(_) => 64,
        _ => 0,
    }
}
