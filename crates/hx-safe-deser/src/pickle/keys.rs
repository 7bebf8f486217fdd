//! Dict keys and set elements compared as Python compares them, so that a
//! decoded dict or set holds what Python's holds: `1`, `1.0` and `True` are
//! one key, a repeated key keeps its first object and its last value, and a
//! set drops duplicates.
//!
//! Hashing and equality look into tuples and frozensets to a bounded depth
//! ([`MAX_KEY_DEPTH`]); a key nested deeper, or of a kind hx does not
//! compare (a list, a dict, a class, a `Decimal`, a `datetime` value), is
//! refused.

use core::hash::{BuildHasher, Hash, Hasher};
use std::collections::HashMap;
use std::collections::hash_map::RandomState;

use num_bigint::BigInt as Big;

use super::load::{Id, Obj};
use crate::{Error, Result};

/// The deepest tuple or frozenset nesting inside a key that hx compares.
pub(crate) const MAX_KEY_DEPTH: usize = 64;

/// Containers up to this long are searched one by one; longer ones get a
/// hash index.
const SCAN_LEN: usize = 8;

fn unhashable() -> Error {
    Error::Pickle {
        reason: "a dict key or set element that is unhashable, or that hx does not compare",
        offset: 0,
    }
}

/// A number as a hashable key: integral values (ints, bools, integral
/// floats) by their integer value, so that equal numbers hash alike.
#[derive(Hash)]
enum Number {
    Small(i64),
    Big(Vec<u8>),
    Float(u64),
}

fn float_key(x: f64) -> Number {
    if x.is_finite() && x.fract() == 0.0 {
        // Integral: |x| < 2^63 fits an i64 exactly.
        if x.abs() < 9.223_372_036_854_776e18 {
            #[allow(clippy::cast_possible_truncation)]
            return Number::Small(x as i64);
        }
        if let Some(n) = big_of_integral(x) {
            return Number::Big(n.to_signed_bytes_le());
        }
    }
    // NaN compares unequal to everything but itself; its hash only has to
    // be consistent.
    Number::Float(if x.is_nan() { 0 } else { x.to_bits() })
}

/// The exact integer an integral, finite float holds.
fn big_of_integral(x: f64) -> Option<Big> {
    if !x.is_finite() || x.fract() != 0.0 {
        return None;
    }
    if x == 0.0 {
        return Some(Big::from(0));
    }
    let bits = x.to_bits();
    let exponent = i32::try_from((bits >> 52) & 0x7ff).ok()? - 1075;
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    let magnitude = if exponent >= 0 {
        Big::from(mantissa) << usize::try_from(exponent).ok()?
    } else {
        // An integral value: the shifted-out bits are zero.
        Big::from(mantissa.checked_shr(u32::try_from(-exponent).ok()?)?)
    };
    Some(if x < 0.0 { -magnitude } else { magnitude })
}

/// Hashes and compares arena objects as dict keys.
pub(crate) struct Keys {
    state: RandomState,
    /// A hash index for each dict or set longer than [`SCAN_LEN`]: key hash
    /// to the position of the first entry with that hash.
    indexes: HashMap<Id, HashMap<u64, u32>>,
}

impl Keys {
    pub(crate) fn new() -> Self {
        Self {
            state: RandomState::new(),
            indexes: HashMap::new(),
        }
    }

    /// Python's `hash(key)` in spirit: equal keys hash alike; unhashable
    /// keys are an error.
    pub(crate) fn hash(&self, objects: &[Obj], id: Id) -> Result<u64> {
        let mut h = self.state.build_hasher();
        feed(&self.state, objects, id, &mut h, 0)?;
        Ok(h.finish())
    }

    /// Inserts `key: value` into the dict `dict` (whose pairs are `pairs`),
    /// as `d[key] = value` does. Returns whether the key is new.
    pub(crate) fn dict_insert(
        &mut self,
        objects: &[Obj],
        dict: Id,
        pairs: &mut Vec<(Id, Id)>,
        key: Id,
        value: Id,
    ) -> Result<bool> {
        if pairs.len() < SCAN_LEN {
            // Small: compared one by one, no hash needed; string keys (the
            // common case) compared directly.
            if let Obj::Str(k) = &objects[key as usize] {
                let found = pairs.iter().position(|p| {
                    p.0 == key || matches!(&objects[p.0 as usize], Obj::Str(t) if t == k)
                });
                if let Some(at) = found {
                    pairs[at].1 = value;
                    return Ok(false);
                }
                pairs.push((key, value));
                return Ok(true);
            }
            check_hashable(objects, key)?;
            if let Some(at) = pairs.iter().position(|p| equal(objects, p.0, key)) {
                pairs[at].1 = value;
                return Ok(false);
            }
            pairs.push((key, value));
            return Ok(true);
        }
        let hash = self.hash(objects, key)?;
        if let Some(at) = self.find(objects, dict, |i| pairs[i].0, pairs.len(), key, hash) {
            pairs[at].1 = value;
            return Ok(false);
        }
        self.note(objects, dict, |i| pairs[i].0, pairs.len(), hash)?;
        pairs.push((key, value));
        Ok(true)
    }

    /// Adds `item` to the set `set` (whose elements are `items`) unless an
    /// equal one is there. Returns whether it was added.
    pub(crate) fn set_insert(
        &mut self,
        objects: &[Obj],
        set: Id,
        items: &mut Vec<Id>,
        item: Id,
    ) -> Result<bool> {
        if items.len() < SCAN_LEN {
            check_hashable(objects, item)?;
            if items.iter().any(|&i| equal(objects, i, item)) {
                return Ok(false);
            }
            items.push(item);
            return Ok(true);
        }
        let hash = self.hash(objects, item)?;
        if self
            .find(objects, set, |i| items[i], items.len(), item, hash)
            .is_some()
        {
            return Ok(false);
        }
        self.note(objects, set, |i| items[i], items.len(), hash)?;
        items.push(item);
        Ok(true)
    }

    /// Where a key equal to `key` is among the `len` keys `key_at` gives.
    fn find(
        &self,
        objects: &[Obj],
        container: Id,
        key_at: impl Fn(usize) -> Id,
        len: usize,
        key: Id,
        hash: u64,
    ) -> Option<usize> {
        if let Some(index) = self.indexes.get(&container) {
            let at = *index.get(&hash)? as usize;
            if equal(objects, key_at(at), key) {
                return Some(at);
            }
            // Two keys with one 64-bit hash: look at every one.
        }
        (0..len).find(|&i| equal(objects, key_at(i), key))
    }

    /// Records a new entry at position `len` in the container's index,
    /// building the index when the container outgrows a linear search.
    fn note(
        &mut self,
        objects: &[Obj],
        container: Id,
        key_at: impl Fn(usize) -> Id,
        len: usize,
        hash: u64,
    ) -> Result<()> {
        if len < SCAN_LEN {
            return Ok(());
        }
        let at = u32::try_from(len).map_err(|_| unhashable())?;
        if !self.indexes.contains_key(&container) {
            let mut index = HashMap::with_capacity(len * 2);
            for i in 0..len {
                let h = self.hash(objects, key_at(i))?;
                index
                    .entry(h)
                    .or_insert(u32::try_from(i).map_err(|_| unhashable())?);
            }
            self.indexes.insert(container, index);
        }
        if let Some(index) = self.indexes.get_mut(&container) {
            index.entry(hash).or_insert(at);
        }
        Ok(())
    }
}

/// Whether `id` can be a key, without hashing the common scalars.
fn check_hashable(objects: &[Obj], id: Id) -> Result<()> {
    match &objects[id as usize] {
        Obj::None
        | Obj::Bool(_)
        | Obj::Int(_)
        | Obj::Big(_)
        | Obj::Float(_)
        | Obj::Str(_)
        | Obj::Bytes(_) => Ok(()),
        // Containers: the full check (depth, element kinds).
        _ => feed(
            &RandomState::new(),
            objects,
            id,
            &mut std::hash::DefaultHasher::new(),
            0,
        ),
    }
}

/// Feeds what identifies `id` as a key into `h`.
fn feed(
    state: &RandomState,
    objects: &[Obj],
    id: Id,
    h: &mut impl Hasher,
    depth: usize,
) -> Result<()> {
    if depth > MAX_KEY_DEPTH {
        return Err(unhashable());
    }
    match &objects[id as usize] {
        Obj::None => 0u8.hash(h),
        Obj::Bool(b) => Number::Small(i64::from(*b)).hash(h),
        Obj::Int(n) => Number::Small(*n).hash(h),
        Obj::Big(n) => Number::Big(n.to_signed_bytes_le()).hash(h),
        Obj::Float(x) => float_key(*x).hash(h),
        Obj::Str(s) => {
            1u8.hash(h);
            s.hash(h);
        }
        Obj::Bytes(b) => {
            2u8.hash(h);
            b.hash(h);
        }
        Obj::Tuple(items) => {
            3u8.hash(h);
            items.len().hash(h);
            for &item in items {
                feed(state, objects, item, h, depth + 1)?;
            }
        }
        Obj::FrozenSet(items) => {
            // Order-independent: the sum of the elements' own hashes.
            4u8.hash(h);
            items.len().hash(h);
            let mut sum = 0u64;
            for &item in items {
                let mut inner = state.build_hasher();
                feed(state, objects, item, &mut inner, depth + 1)?;
                sum = sum.wrapping_add(inner.finish());
            }
            sum.hash(h);
        }
        _ => return Err(unhashable()),
    }
    Ok(())
}

/// Python's `a == b` for hashable keys (identity first, as dicts do).
/// Only called on keys that hashed without error.
fn equal(objects: &[Obj], a: Id, b: Id) -> bool {
    equal_at(objects, a, b, 0)
}

fn equal_at(objects: &[Obj], a: Id, b: Id, depth: usize) -> bool {
    if a == b {
        return true;
    }
    if depth > MAX_KEY_DEPTH {
        return false;
    }
    let (x, y) = (&objects[a as usize], &objects[b as usize]);
    // The common case first: string keys.
    if let (Obj::Str(s), Obj::Str(t)) = (x, y) {
        return s == t;
    }
    if let (Some(m), Some(n)) = (number(x), number(y)) {
        return numbers_equal(&m, &n);
    }
    match (x, y) {
        (Obj::None, Obj::None) => true,
        (Obj::Str(s), Obj::Str(t)) => s == t,
        (Obj::Bytes(s), Obj::Bytes(t)) => s == t,
        (Obj::Tuple(s), Obj::Tuple(t)) => {
            s.len() == t.len()
                && s.iter()
                    .zip(t)
                    .all(|(&p, &q)| equal_at(objects, p, q, depth + 1))
        }
        (Obj::FrozenSet(s), Obj::FrozenSet(t)) => {
            // Both hold distinct elements: equal when every one of s is in t.
            s.len() == t.len()
                && s.iter()
                    .all(|&p| t.iter().any(|&q| equal_at(objects, p, q, depth + 1)))
        }
        _ => false,
    }
}

enum Num<'a> {
    Int(i64),
    Big(&'a Big),
    Float(f64),
}

fn number(obj: &Obj) -> Option<Num<'_>> {
    match obj {
        Obj::Bool(b) => Some(Num::Int(i64::from(*b))),
        Obj::Int(n) => Some(Num::Int(*n)),
        Obj::Big(n) => Some(Num::Big(n)),
        Obj::Float(x) => Some(Num::Float(*x)),
        _ => None,
    }
}

/// Exact numeric equality, as Python compares ints and floats.
fn numbers_equal(m: &Num<'_>, n: &Num<'_>) -> bool {
    match (m, n) {
        (Num::Int(a), Num::Int(b)) => a == b,
        // Big ints are outside the i64 range by construction.
        (Num::Big(a), Num::Big(b)) => a == b,
        (Num::Int(_), Num::Big(_)) | (Num::Big(_), Num::Int(_)) => false,
        (Num::Float(a), Num::Float(b)) => a == b,
        (Num::Float(x), Num::Int(i)) | (Num::Int(i), Num::Float(x)) => {
            x.is_finite() && x.fract() == 0.0 && x.abs() < 9.223_372_036_854_776e18 && {
                #[allow(clippy::cast_possible_truncation)]
                let v = *x as i64;
                v == *i
            }
        }
        (Num::Float(x), Num::Big(b)) | (Num::Big(b), Num::Float(x)) => {
            x.is_finite() && x.fract() == 0.0 && big_of_integral(*x).is_some_and(|v| &v == *b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_are_exact_integers() {
        assert_eq!(
            big_of_integral(1e20).unwrap().to_string(),
            "100000000000000000000"
        );
        assert_eq!(
            big_of_integral(-2f64.powi(70)).unwrap(),
            -(Big::from(1) << 70usize)
        );
        assert_eq!(big_of_integral(3.0).unwrap(), Big::from(3));
        assert_eq!(big_of_integral(0.0).unwrap(), Big::from(0));
        assert_eq!(big_of_integral(-0.0).unwrap(), Big::from(0));
        assert!(big_of_integral(0.5).is_none() && big_of_integral(f64::NAN).is_none());
        let objects = vec![
            Obj::Float(1e20),
            Obj::Big(Box::new("100000000000000000000".parse().unwrap())),
            Obj::Big(Box::new("100000000000000000001".parse().unwrap())),
            Obj::Float(-0.0),
            Obj::Int(0),
            Obj::Bool(false),
            Obj::Float(f64::NAN),
            Obj::Float(f64::NAN),
        ];
        let keys = Keys::new();
        assert!(equal(&objects, 0, 1));
        assert_eq!(
            keys.hash(&objects, 0).unwrap(),
            keys.hash(&objects, 1).unwrap()
        );
        assert!(!equal(&objects, 0, 2));
        assert!(equal(&objects, 3, 4) && equal(&objects, 4, 5));
        assert_eq!(
            keys.hash(&objects, 3).unwrap(),
            keys.hash(&objects, 5).unwrap()
        );
        // NaN equals only itself.
        assert!(equal(&objects, 6, 6));
        assert!(!equal(&objects, 6, 7));
    }
}
