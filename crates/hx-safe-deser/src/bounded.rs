//! Decoding under [`Limits`], enforced while decoding.
//!
//! A wrapping [`serde::Deserializer`] sits between the format's deserializer
//! (postcard or `serde_json`) and the type being built. Every visitor it
//! hands out counts nesting depth, elements per sequence or map, and the
//! memory the value will take (each element's in-memory size, each string's
//! length), and stops the decoder as soon as a limit is crossed, before the
//! allocation happens. For postcard, the input is read through a
//! [`postcard::de_flavors::Flavor`] that also refuses overlong varints, so
//! every value has exactly one encoding; bytes left after the value are
//! refused too.

use core::cell::Cell;
use core::fmt;
use core::mem::size_of;

use serde::de::{
    self, Deserialize, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess,
    SeqAccess, VariantAccess, Visitor,
};

use crate::{Error, Limits, Result};

/// Decodes postcard bytes into `T` under `limits`: size first, then depth,
/// sequence lengths and allocation while decoding, overlong varints and
/// trailing bytes refused.
///
/// # Errors
/// [`Error::TooLarge`], [`Error::DepthLimit`], [`Error::SeqTooLong`],
/// [`Error::AllocLimit`], [`Error::OverlongVarint`],
/// [`Error::TrailingBytes`], [`Error::Truncated`] or [`Error::Malformed`].
///
/// # Example
/// ```
/// use hx_safe_deser::{Error, Limits, bounded};
/// let bytes = postcard::to_allocvec(&vec![1u32, 2, 3]).unwrap();
/// let v: Vec<u32> = bounded::from_postcard(&bytes, &Limits::default())?;
/// assert_eq!(v, [1, 2, 3]);
///
/// // 0 encoded in two bytes instead of one: postcard accepts it, hx does not.
/// assert!(matches!(
///     bounded::from_postcard::<u32>(&[0x80, 0x00], &Limits::default()),
///     Err(Error::OverlongVarint)
/// ));
/// # Ok::<(), Error>(())
/// ```
pub fn from_postcard<T: DeserializeOwned>(input: &[u8], limits: &Limits) -> Result<T> {
    check_size(input, limits)?;
    let budget = Budget::new(*limits);
    postcard_value(input, &budget)
}

/// Decodes JSON into `T` under the same `limits` as postcard input: size
/// first, then depth, sequence lengths and allocation while decoding;
/// anything but whitespace after the value is refused.
///
/// # Errors
/// As [`from_postcard`], except that JSON has no varints.
///
/// # Example
/// ```
/// use hx_safe_deser::{Error, Limits, bounded};
/// let limits = Limits { max_depth: 4, ..Limits::default() };
/// let v: Vec<Vec<u8>> = bounded::from_json(b"[[1, 2], [3]]", &limits)?;
/// assert_eq!(v, [vec![1, 2], vec![3]]);
///
/// let deep = b"[[[[[[1]]]]]]";
/// assert!(matches!(
///     bounded::from_json::<serde_json::Value>(deep, &limits),
///     Err(Error::DepthLimit { max: 4 })
/// ));
/// # Ok::<(), Error>(())
/// ```
pub fn from_json<T: DeserializeOwned>(input: &[u8], limits: &Limits) -> Result<T> {
    check_size(input, limits)?;
    let budget = Budget::new(*limits);
    let mut de = serde_json::Deserializer::from_slice(input);
    let value = T::deserialize(Limited::<_, true> {
        de: &mut de,
        budget: &budget,
    })
    .map_err(|e| budget.error_or(json_error(&e, limits)))?;
    de.end().map_err(|e| Error::TrailingBytes {
        count: input.len().saturating_sub(json_offset(input, &e)),
    })?;
    Ok(value)
}

fn check_size(input: &[u8], limits: &Limits) -> Result<()> {
    if input.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            len: input.len(),
            max: limits.max_bytes,
        });
    }
    Ok(())
}

/// Decodes one postcard value that must fill `input` exactly. `budget` may be
/// shared with an outer decoder (the envelope).
pub(crate) fn postcard_value<'a, T: Deserialize<'a>>(
    input: &'a [u8],
    budget: &'a Budget,
) -> Result<T> {
    // Strings and byte strings copy at most the input's length in total:
    // charge that up front rather than string by string.
    budget
        .charge::<de::value::Error>(input.len())
        .map_err(|_| budget.error_or(Error::Truncated))?;
    let mut de = postcard::Deserializer::from_flavor(Tracked {
        input,
        budget,
        pos: 0,
        take_end: usize::MAX,
        raw_end: usize::MAX,
    });
    let value = T::deserialize(Limited::<_, false> {
        de: &mut de,
        budget,
    })
    .map_err(|e| budget.error_or(postcard_error(e)))?;
    let rest = de.finalize().map_err(postcard_error)?;
    if !rest.is_empty() {
        return Err(Error::TrailingBytes { count: rest.len() });
    }
    Ok(value)
}

fn postcard_error(e: postcard::Error) -> Error {
    match e {
        postcard::Error::DeserializeUnexpectedEnd => Error::Truncated,
        other => Error::Malformed(other.to_string()),
    }
}

fn json_error(e: &serde_json::Error, limits: &Limits) -> Error {
    if e.is_eof() {
        return Error::Truncated;
    }
    let message = e.to_string();
    // serde_json's own recursion guard (128 levels) backs ours up when a
    // caller raises `max_depth` above it.
    if message.starts_with("recursion limit exceeded") {
        return Error::DepthLimit {
            max: limits.max_depth.min(128),
        };
    }
    Error::Malformed(message)
}

/// The byte offset of a `serde_json` error (from its line and column).
fn json_offset(input: &[u8], e: &serde_json::Error) -> usize {
    let line_start: usize = input
        .split_inclusive(|&b| b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(<[u8]>::len)
        .sum();
    line_start + e.column().saturating_sub(1)
}

/// Which limit stopped the decoder.
#[derive(Clone, Copy, Debug)]
enum Failure {
    Depth,
    SeqLen,
    Alloc,
    Overlong,
}

/// What one decode has spent of its [`Limits`], shared by every wrapper.
pub(crate) struct Budget {
    limits: Limits,
    depth: Cell<usize>,
    alloc: Cell<usize>,
    /// Set while postcard reads a raw `u8`/`i8`, so that the input flavor
    /// can note where that byte ends.
    raw_pending: Cell<bool>,

    failure: Cell<Option<Failure>>,
}

impl Budget {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            depth: Cell::new(0),
            alloc: Cell::new(0),
            raw_pending: Cell::new(false),
            failure: Cell::new(None),
        }
    }

    /// Records the first limit crossed; the format's error type carries
    /// only a placeholder, [`Budget::error_or`] recovers the typed error.
    fn fail<E: de::Error>(&self, failure: Failure) -> E {
        if self.failure.get().is_none() {
            self.failure.set(Some(failure));
        }
        E::custom("hx-safe-deser limit")
    }

    fn enter<E: de::Error>(&self) -> core::result::Result<(), E> {
        let depth = self.depth.get() + 1;
        if depth > self.limits.max_depth {
            return Err(self.fail(Failure::Depth));
        }
        self.depth.set(depth);
        Ok(())
    }

    fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    fn charge<E: de::Error>(&self, bytes: usize) -> core::result::Result<(), E> {
        let total = self.alloc.get().saturating_add(bytes);
        if total > self.limits.max_total_alloc {
            return Err(self.fail(Failure::Alloc));
        }
        self.alloc.set(total);
        Ok(())
    }

    fn check_len<E: de::Error>(&self, len: Option<usize>) -> core::result::Result<(), E> {
        match len {
            Some(n) if n > self.limits.max_seq_len => Err(self.fail(Failure::SeqLen)),
            _ => Ok(()),
        }
    }

    /// The typed error for the limit that stopped decoding, or `fallback`
    /// when the format itself refused the input.
    pub(crate) fn error_or(&self, fallback: Error) -> Error {
        match self.failure.get() {
            Some(Failure::Depth) => Error::DepthLimit {
                max: self.limits.max_depth,
            },
            Some(Failure::SeqLen) => Error::SeqTooLong {
                max: self.limits.max_seq_len,
            },
            Some(Failure::Alloc) => Error::AllocLimit {
                max: self.limits.max_total_alloc,
            },
            Some(Failure::Overlong) => Error::OverlongVarint,
            None => fallback,
        }
    }
}

/// A postcard input flavor that refuses overlong varints.
///
/// postcard reads a varint with one `pop` per byte, so a varint is overlong
/// exactly when it ends with a zero byte popped right after a byte with the
/// continuation bit. The only other bytes postcard pops are bools and option
/// tags (0 or 1) and raw `u8`/`i8` values, which the wrapping deserializer
/// flags while postcard reads them (`Budget::raw_pending`) so that the
/// flavor notes where a raw byte with its top bit set ends; bytes taken in
/// bulk (strings, floats) do not pass through `pop`. So a popped zero byte
/// after a byte with the top bit set looks at what that byte was, and the
/// hot path stays a comparison or two on a position kept in the flavor
/// itself, which keeps postcard's varint loop small enough to inline.
struct Tracked<'a> {
    input: &'a [u8],
    budget: &'a Budget,
    /// The read position.
    pos: usize,
    /// The position just after the last bytes taken in bulk.
    take_end: usize,
    /// The position just after the last raw `u8`/`i8` with its top bit set.
    raw_end: usize,
}

impl Tracked<'_> {
    /// A zero byte was popped at `at`: the end of an overlong varint if the
    /// byte before it was popped, has the continuation bit, and was not a
    /// raw byte.
    #[cold]
    #[inline(never)]
    fn zero_byte(&self, at: usize) -> postcard::Result<()> {
        let Some(before) = at.checked_sub(1) else {
            return Ok(());
        };
        let continued = self.input.get(before).is_some_and(|&b| b >= 0x80);
        if continued && self.take_end != at && self.raw_end != at {
            let _: postcard::Error = self.budget.fail(Failure::Overlong);
            return Err(postcard::Error::DeserializeBadVarint);
        }
        Ok(())
    }
}

impl<'a> postcard::de_flavors::Flavor<'a> for Tracked<'a> {
    type Remainder = &'a [u8];
    type Source = &'a [u8];

    #[inline]
    fn pop(&mut self) -> postcard::Result<u8> {
        let at = self.pos;
        let byte = *self
            .input
            .get(at)
            .ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
        self.pos = at + 1;
        if byte == 0 {
            if self
                .input
                .get(at.wrapping_sub(1))
                .is_some_and(|&b| b >= 0x80)
            {
                self.zero_byte(at)?;
            }
        } else if byte >= 0x80 && self.budget.raw_pending.get() {
            self.raw_end = at + 1;
        }
        Ok(byte)
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        Some(self.input.len() - self.pos)
    }

    /// Strings, byte strings, chars and floats (their bytes were charged up
    /// front: see [`postcard_value`]).
    #[inline]
    fn try_take_n(&mut self, ct: usize) -> postcard::Result<&'a [u8]> {
        let at = self.pos;
        let taken = at
            .checked_add(ct)
            .and_then(|end| self.input.get(at..end))
            .ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
        self.pos = at + ct;
        self.take_end = at + ct;
        Ok(taken)
    }

    fn finalize(self) -> postcard::Result<&'a [u8]> {
        Ok(self.input.get(self.pos..).unwrap_or_default())
    }
}

/// The wrapping deserializer.
struct Limited<'b, D, const TEXT: bool> {
    de: D,
    budget: &'b Budget,
}

impl<'b, D, const TEXT: bool> Limited<'b, D, TEXT> {
    /// A visitor for a struct or tuple: nested values limited, its fixed
    /// number of elements not counted.
    fn wrap_fixed<V>(&self, visitor: V) -> Wrap<'b, V, TEXT, false> {
        Wrap::<_, TEXT, false> {
            visitor,
            budget: self.budget,
        }
    }

    /// The visitor, wrapped so that what it visits is counted.
    fn wrap<V>(&self, visitor: V) -> Wrap<'b, V, TEXT, true> {
        Wrap::<_, TEXT, true> {
            visitor,
            budget: self.budget,
        }
    }
}

/// Scalars with nothing to count.
macro_rules! forward_plain {
    ($($method:ident)*) => {$(
        #[inline(always)]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, D::Error> {
            self.de.$method(visitor)
        }
    )*};
}

/// Strings and byte strings: charged by the visitor (JSON) or, when `TEXT`
/// is false, by the input flavor as their bytes are taken (postcard), which
/// keeps the visitor unwrapped on postcard's hottest path.
macro_rules! forward_text {
    ($($method:ident)*) => {$(
        #[inline(always)]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, D::Error> {
            if TEXT {
                let visitor = self.wrap(visitor);
                self.de.$method(visitor)
            } else {
                self.de.$method(visitor)
            }
        }
    )*};
}

/// Raw bytes in postcard: their end is noted, so that a zero byte popped
/// right after one is not taken for the end of an overlong varint.
macro_rules! forward_raw_byte {
    ($($method:ident)*) => {$(
        #[inline(always)]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, D::Error> {
            self.budget.raw_pending.set(true);
            let value = self.de.$method(visitor);
            self.budget.raw_pending.set(false);
            value
        }
    )*};
}

/// Values whose contents are counted.
macro_rules! forward_counted {
    ($($method:ident)*) => {$(
        #[inline(always)]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> core::result::Result<V::Value, D::Error> {
            let visitor = self.wrap(visitor);
            self.de.$method(visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>, const TEXT: bool> Deserializer<'de> for Limited<'_, D, TEXT> {
    type Error = D::Error;

    forward_plain! {
        deserialize_bool deserialize_f32 deserialize_f64 deserialize_unit deserialize_identifier
        deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_char
    }
    forward_counted! {
        deserialize_seq deserialize_map
    }
    forward_raw_byte! {
        deserialize_i8 deserialize_u8
    }
    forward_text! {
        deserialize_str deserialize_string deserialize_bytes deserialize_byte_buf
    }

    fn deserialize_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_any(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_ignored_any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_option(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        self.de.deserialize_unit_struct(name, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_newtype_struct(name, visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        let visitor = self.wrap_fixed(visitor);
        self.de.deserialize_tuple(len, visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        let visitor = self.wrap_fixed(visitor);
        self.de.deserialize_tuple_struct(name, len, visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        let visitor = self.wrap_fixed(visitor);
        self.de.deserialize_struct(name, fields, visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> core::result::Result<V::Value, D::Error> {
        let visitor = self.wrap(visitor);
        self.de.deserialize_enum(name, variants, visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// A visitor whose nested accesses are limited. With `COUNTED`, the
/// elements of a sequence are counted and charged; without, for structs,
/// tuples and variants whose element count the type fixes, they are only
/// wrapped (their memory is charged as part of their parent's element).
struct Wrap<'b, V, const TEXT: bool, const COUNTED: bool> {
    visitor: V,
    budget: &'b Budget,
}

macro_rules! visit_plain {
    ($($method:ident: $ty:ty)*) => {$(
        #[inline]
        fn $method<E: de::Error>(self, v: $ty) -> core::result::Result<V::Value, E> {
            self.visitor.$method(v)
        }
    )*};
}

macro_rules! visit_charged {
    ($($method:ident: $ty:ty)*) => {$(
        #[inline]
        fn $method<E: de::Error>(self, v: $ty) -> core::result::Result<V::Value, E> {
            self.budget.charge(v.len())?;
            self.visitor.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>, const TEXT: bool, const COUNTED: bool> Visitor<'de>
    for Wrap<'_, V, TEXT, COUNTED>
{
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    visit_plain! {
        visit_bool: bool visit_i8: i8 visit_u8: u8 visit_i16: i16 visit_i32: i32 visit_i64: i64 visit_i128: i128
        visit_u16: u16 visit_u32: u32 visit_u64: u64 visit_u128: u128
        visit_f32: f32 visit_f64: f64 visit_char: char
    }
    visit_charged! {
        visit_str: &str visit_borrowed_str: &'de str visit_string: String
        visit_bytes: &[u8] visit_borrowed_bytes: &'de [u8] visit_byte_buf: Vec<u8>
    }

    fn visit_unit<E: de::Error>(self) -> core::result::Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_none<E: de::Error>(self) -> core::result::Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_some<D2: Deserializer<'de>>(
        self,
        de: D2,
    ) -> core::result::Result<V::Value, D2::Error> {
        self.budget.enter()?;
        let value = self.visitor.visit_some(Limited::<_, TEXT> {
            de,
            budget: self.budget,
        });
        self.budget.leave();
        value
    }

    fn visit_newtype_struct<D2: Deserializer<'de>>(
        self,
        de: D2,
    ) -> core::result::Result<V::Value, D2::Error> {
        self.budget.enter()?;
        let value = self.visitor.visit_newtype_struct(Limited::<_, TEXT> {
            de,
            budget: self.budget,
        });
        self.budget.leave();
        value
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> core::result::Result<V::Value, A::Error> {
        self.budget.enter()?;
        let value = if COUNTED {
            self.budget.check_len(seq.size_hint())?;
            self.visitor.visit_seq(LimitedSeq::<_, TEXT> {
                seq,
                budget: self.budget,
                count: 0,
            })
        } else {
            self.visitor.visit_seq(FixedSeq::<_, TEXT> {
                seq,
                budget: self.budget,
            })
        };
        self.budget.leave();
        value
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> core::result::Result<V::Value, A::Error> {
        self.budget.check_len(map.size_hint())?;
        self.budget.enter()?;
        let value = self.visitor.visit_map(LimitedMap::<_, TEXT> {
            map,
            budget: self.budget,
            count: 0,
        });
        self.budget.leave();
        value
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> core::result::Result<V::Value, A::Error> {
        self.budget.enter()?;
        let value = self.visitor.visit_enum(LimitedEnum::<_, TEXT> {
            data,
            budget: self.budget,
        });
        self.budget.leave();
        value
    }
}

/// A seed whose deserializer is wrapped.
struct LimitedSeed<'b, S, const TEXT: bool> {
    seed: S,
    budget: &'b Budget,
}

impl<'de, S: DeserializeSeed<'de>, const TEXT: bool> DeserializeSeed<'de>
    for LimitedSeed<'_, S, TEXT>
{
    type Value = S::Value;

    #[inline(always)]
    fn deserialize<D2: Deserializer<'de>>(
        self,
        de: D2,
    ) -> core::result::Result<S::Value, D2::Error> {
        self.seed.deserialize(Limited::<_, TEXT> {
            de,
            budget: self.budget,
        })
    }
}

/// The most elements a collection is told to reserve room for up front: a
/// declared length is only a claim (postcard's map lengths are not checked
/// against the input), so larger collections grow as elements arrive.
const PREALLOC_MAX: usize = 4096;

/// The elements of a struct or tuple: wrapped, not counted.
struct FixedSeq<'b, A, const TEXT: bool> {
    seq: A,
    budget: &'b Budget,
}

impl<'de, A: SeqAccess<'de>, const TEXT: bool> SeqAccess<'de> for FixedSeq<'_, A, TEXT> {
    type Error = A::Error;

    #[inline(always)]
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> core::result::Result<Option<S::Value>, A::Error> {
        self.seq.next_element_seed(LimitedSeed::<_, TEXT> {
            seed,
            budget: self.budget,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint().map(|n| n.min(PREALLOC_MAX))
    }
}

/// Counts elements and charges each its in-memory size.
struct LimitedSeq<'b, A, const TEXT: bool> {
    seq: A,
    budget: &'b Budget,
    count: usize,
}

impl<'de, A: SeqAccess<'de>, const TEXT: bool> SeqAccess<'de> for LimitedSeq<'_, A, TEXT> {
    type Error = A::Error;

    #[inline]
    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> core::result::Result<Option<S::Value>, A::Error> {
        let element = self.seq.next_element_seed(LimitedSeed::<_, TEXT> {
            seed,
            budget: self.budget,
        })?;
        if element.is_some() {
            self.count += 1;
            self.budget.check_len(Some(self.count))?;
            self.budget.charge(size_of::<S::Value>())?;
        }
        Ok(element)
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint().map(|n| n.min(PREALLOC_MAX))
    }
}

/// Counts entries and charges each key and value its in-memory size.
struct LimitedMap<'b, A, const TEXT: bool> {
    map: A,
    budget: &'b Budget,
    count: usize,
}

impl<'de, A: MapAccess<'de>, const TEXT: bool> MapAccess<'de> for LimitedMap<'_, A, TEXT> {
    type Error = A::Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> core::result::Result<Option<K::Value>, A::Error> {
        let key = self.map.next_key_seed(LimitedSeed::<_, TEXT> {
            seed,
            budget: self.budget,
        })?;
        if key.is_some() {
            self.count += 1;
            self.budget.check_len(Some(self.count))?;
            self.budget.charge(size_of::<K::Value>())?;
        }
        Ok(key)
    }

    #[inline]
    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> core::result::Result<S::Value, A::Error> {
        let value = self.map.next_value_seed(LimitedSeed::<_, TEXT> {
            seed,
            budget: self.budget,
        })?;
        self.budget.charge(size_of::<S::Value>())?;
        Ok(value)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint().map(|n| n.min(PREALLOC_MAX))
    }
}

/// Wraps the variant's contents.
struct LimitedEnum<'b, A, const TEXT: bool> {
    data: A,
    budget: &'b Budget,
}

impl<'de, 'b, A: EnumAccess<'de>, const TEXT: bool> EnumAccess<'de> for LimitedEnum<'b, A, TEXT> {
    type Error = A::Error;
    type Variant = LimitedVariant<'b, A::Variant, TEXT>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> core::result::Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.data.variant_seed(LimitedSeed::<_, TEXT> {
            seed,
            budget: self.budget,
        })?;
        Ok((
            value,
            LimitedVariant::<_, TEXT> {
                variant,
                budget: self.budget,
            },
        ))
    }
}

struct LimitedVariant<'b, A, const TEXT: bool> {
    variant: A,
    budget: &'b Budget,
}

impl<'de, A: VariantAccess<'de>, const TEXT: bool> VariantAccess<'de>
    for LimitedVariant<'_, A, TEXT>
{
    type Error = A::Error;

    fn unit_variant(self) -> core::result::Result<(), A::Error> {
        self.variant.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> core::result::Result<S::Value, A::Error> {
        self.variant.newtype_variant_seed(LimitedSeed::<_, TEXT> {
            seed,
            budget: self.budget,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> core::result::Result<V::Value, A::Error> {
        self.variant.tuple_variant(
            len,
            Wrap::<_, TEXT, false> {
                visitor,
                budget: self.budget,
            },
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> core::result::Result<V::Value, A::Error> {
        self.variant.struct_variant(
            fields,
            Wrap::<_, TEXT, false> {
                visitor,
                budget: self.budget,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_varints_of_every_width_are_refused() {
        let limits = Limits::default();
        assert!(matches!(
            from_postcard::<u16>(&[0x81, 0x00], &limits),
            Err(Error::OverlongVarint)
        ));
        assert!(matches!(
            from_postcard::<i64>(&[0x80, 0x80, 0x00], &limits),
            Err(Error::OverlongVarint)
        ));
        assert!(matches!(
            from_postcard::<String>(&[0x80, 0x00], &limits),
            Err(Error::OverlongVarint)
        ));
        // A u8 is a raw byte, not a varint: (0x80, 0x00) is two valid u8s.
        assert_eq!(
            from_postcard::<(u8, u8)>(&[0x80, 0x00], &limits).ok(),
            Some((0x80, 0))
        );
        assert_eq!(from_postcard::<u32>(&[0x80, 0x01], &limits).ok(), Some(128));
        // A raw byte with the top bit set, then a one-byte varint 0: fine.
        assert_eq!(
            from_postcard::<(i8, u32)>(&[0xff, 0x00], &limits).ok(),
            Some((-1, 0))
        );
        assert_eq!(
            from_postcard::<(u8, String)>(&[0x80, 0x00], &limits).ok(),
            Some((0x80, String::new()))
        );
        // A raw byte, then an overlong varint: still caught.
        assert!(matches!(
            from_postcard::<(u8, u32)>(&[0x80, 0x80, 0x00], &limits),
            Err(Error::OverlongVarint)
        ));
        // A string whose last byte has the top bit set, then a zero varint.
        assert_eq!(
            from_postcard::<(String, u32)>(&[0x02, 0xc3, 0xa9, 0x00], &limits).ok(),
            Some(("é".to_owned(), 0))
        );
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Shape {
        Dot,
        Line(u32),
    }

    /// Every place postcard reads a varint: lengths of sequences, maps,
    /// strings, byte strings and chars; enum variant indices; integers of
    /// every width, alone and nested.
    #[test]
    fn overlong_varints_are_refused_wherever_postcard_reads_one() {
        use std::collections::BTreeMap;
        let limits = Limits::default();
        let overlong = |r: Result<()>| matches!(r, Err(Error::OverlongVarint));
        let of = |r: Result<()>| r;
        assert!(overlong(of(from_postcard::<Vec<u8>>(
            &[0x80, 0x00],
            &limits
        )
        .map(drop))));
        assert!(overlong(of(from_postcard::<BTreeMap<u8, u8>>(
            &[0x80, 0x00],
            &limits
        )
        .map(drop))));
        assert!(overlong(of(from_postcard::<serde_bytes_like::Bytes>(
            &[0x80, 0x00],
            &limits
        )
        .map(drop))));
        assert!(overlong(of(from_postcard::<char>(
            &[0x81, 0x00, b'a'],
            &limits
        )
        .map(drop))));
        assert!(overlong(of(
            from_postcard::<Shape>(&[0x80, 0x00], &limits).map(drop)
        )));
        assert!(overlong(of(from_postcard::<Shape>(
            &[0x81, 0x00, 0x05],
            &limits
        )
        .map(drop))));
        assert!(overlong(of(from_postcard::<Shape>(
            &[0x01, 0x85, 0x00],
            &limits
        )
        .map(drop))));
        assert!(overlong(of(from_postcard::<u128>(
            &[0xff, 0x80, 0x00],
            &limits
        )
        .map(drop))));
        assert!(overlong(of(
            from_postcard::<i128>(&[0x80, 0x00], &limits).map(drop)
        )));
        assert!(overlong(of(
            from_postcard::<i16>(&[0x80, 0x00], &limits).map(drop)
        )));
        assert!(overlong(of(from_postcard::<Vec<u32>>(
            &[0x02, 0x01, 0x81, 0x00],
            &limits
        )
        .map(drop))));
        assert!(overlong(of(from_postcard::<Option<u64>>(
            &[0x01, 0x80, 0x80, 0x00],
            &limits
        )
        .map(drop))));
        // The canonical forms of the same values decode.
        assert_eq!(
            from_postcard::<Vec<u8>>(&[0x00], &limits).ok(),
            Some(vec![])
        );
        assert_eq!(
            from_postcard::<char>(&[0x01, b'a'], &limits).ok(),
            Some('a')
        );
        assert_eq!(
            from_postcard::<Shape>(&[0x00], &limits).ok(),
            Some(Shape::Dot)
        );
        assert_eq!(
            from_postcard::<Shape>(&[0x01, 0x80, 0x01], &limits).ok(),
            Some(Shape::Line(128))
        );
        assert_eq!(
            from_postcard::<Vec<u32>>(&[0x02, 0x00, 0x80, 0x01], &limits).ok(),
            Some(vec![0, 128])
        );
        // Raw bytes with the top bit set before canonical zero lengths.
        assert_eq!(
            from_postcard::<(u8, Vec<u8>, i8, BTreeMap<u8, u8>)>(
                &[0x80, 0x00, 0xff, 0x00],
                &limits
            )
            .ok(),
            Some((0x80, vec![], -1, BTreeMap::new()))
        );
        assert_eq!(
            from_postcard::<(f32, Shape)>(&[0, 0, 0x80, 0xbf, 0x00], &limits).ok(),
            Some((-1.0, Shape::Dot))
        );
    }

    /// A byte string (serde's `deserialize_bytes`), without serde_bytes.
    mod serde_bytes_like {
        pub struct Bytes;
        impl<'de> serde::Deserialize<'de> for Bytes {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = Bytes;
                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        f.write_str("bytes")
                    }
                    fn visit_bytes<E>(self, _: &[u8]) -> Result<Bytes, E> {
                        Ok(Bytes)
                    }
                }
                d.deserialize_bytes(V)
            }
        }
    }

    #[test]
    fn json_offsets_follow_lines() {
        let input = b"[1,\n 2] x";
        let e = serde_json::from_slice::<Vec<u8>>(input).err();
        let offset = e.as_ref().map(|e| json_offset(input, e));
        assert_eq!(offset, Some(8));
    }
}
