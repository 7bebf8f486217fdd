//! The safe value tree a pickle decodes into, and its JSON form.

use core::fmt;

use base64::Engine as _;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A Python value that is only data: what [`load`](super::load) returns.
///
/// Values built by an allowed constructor come out as data too:
/// `collections.OrderedDict` as a [`Value::Dict`], `decimal.Decimal` and the
/// `datetime` types as their `str()`/ISO 8601 text in a [`Value::Str`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An `int` that fits in 64 bits.
    Int(i64),
    /// An `int` that does not.
    BigInt(BigInt),
    /// A `float`.
    Float(f64),
    /// A `str`. Shared (an [`Arc`](std::sync::Arc)) where the pickle shares
    /// it, as Python shares one `str` among its references: a dict key
    /// repeated in a million dicts is one allocation.
    Str(std::sync::Arc<str>),
    /// A `bytes`.
    Bytes(Vec<u8>),
    /// A `bytearray`.
    ByteArray(Vec<u8>),
    /// A `list`.
    List(Vec<Value>),
    /// A `tuple`.
    Tuple(Vec<Value>),
    /// A `dict`, entries in insertion order.
    Dict(Vec<(Value, Value)>),
    /// A `set`, in the pickle's order.
    Set(Vec<Value>),
    /// A `frozenset`, in the pickle's order.
    FrozenSet(Vec<Value>),
}

/// A value of any depth is dropped without recursion: its containers are
/// taken apart one level at a time. (So a `Value` cannot be destructured
/// by move; match on a reference, or use `std::mem::take` on the fields.)
impl Drop for Value {
    fn drop(&mut self) {
        if !is_container(self) {
            return;
        }
        // Shallow trees drop their children here, recursing as usual;
        // past DROP_DEPTH levels the containers below are moved onto a heap
        // stack and dropped from there, one level at a time.
        let depth = DROP_DEPTH.get();
        if depth < MAX_DROP_DEPTH {
            DROP_DEPTH.set(depth + 1);
            match self {
                Self::List(items)
                | Self::Tuple(items)
                | Self::Set(items)
                | Self::FrozenSet(items) => {
                    drop(core::mem::take(items));
                }
                Self::Dict(pairs) => drop(core::mem::take(pairs)),
                _ => {}
            }
            DROP_DEPTH.set(depth);
            return;
        }
        let mut pending = Vec::new();
        take_nested(self, &mut pending);
        while let Some(mut value) = pending.pop() {
            take_nested(&mut value, &mut pending);
        }
    }
}

thread_local! {
    /// How many `Value` drops are running on this thread, one inside the
    /// other.
    static DROP_DEPTH: core::cell::Cell<u32> = const { core::cell::Cell::new(0) };
}

/// The deepest a drop recurses (a few hundred bytes of stack a level).
const MAX_DROP_DEPTH: u32 = 64;

fn is_container(v: &Value) -> bool {
    matches!(
        v,
        Value::List(_) | Value::Tuple(_) | Value::Dict(_) | Value::Set(_) | Value::FrozenSet(_)
    )
}

/// Moves the containers among the children of `value` onto `out`, leaving
/// `None` in their place.
fn take_nested(value: &mut Value, out: &mut Vec<Value>) {
    let mut take = |v: &mut Value| {
        if is_container(v) {
            out.push(core::mem::replace(v, Value::None));
        }
    };
    match value {
        Value::List(items) | Value::Tuple(items) | Value::Set(items) | Value::FrozenSet(items) => {
            items.iter_mut().for_each(&mut take);
        }
        Value::Dict(pairs) => {
            for (k, v) in pairs.iter_mut() {
                take(k);
                take(v);
            }
        }
        _ => {}
    }
}

/// An integer of any size.
///
/// ```
/// use hx_safe_deser::pickle::{self, Value};
/// // pickle.dumps(2**70, protocol=2)
/// let value = pickle::load(b"\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x40.", &Default::default())?;
/// let Value::BigInt(n) = &value else { panic!("not a big int") };
/// assert_eq!(n.to_string(), "1180591620717411303424");
/// # Ok::<(), hx_safe_deser::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BigInt(pub(crate) num_bigint::BigInt);

impl BigInt {
    /// Little-endian two's complement bytes, as pickle's `LONG1` holds them.
    #[must_use]
    pub fn to_signed_bytes_le(&self) -> Vec<u8> {
        self.0.to_signed_bytes_le()
    }
}

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Value {
    /// The value as JSON, in the form `hx pickle load` prints: bytes and
    /// bytearrays as `{"$bytes": "<base64>"}`, tuples and sets as arrays,
    /// ints beyond 64 bits as strings, non-finite floats as
    /// `{"$float": "nan"}` (or `"inf"`, `"-inf"`), dicts whose keys are not
    /// all strings (or start with `$`) as `{"$dict": [[key, value], ...]}`.
    ///
    /// ```
    /// use hx_safe_deser::pickle::Value;
    /// let v = Value::Tuple(vec![Value::Int(1), Value::Bytes(b"hi".to_vec())]);
    /// assert_eq!(v.to_json(), r#"[1,{"$bytes":"aGk="}]"#);
    /// ```
    ///
    /// Written without recursion, so a tree of any depth is safe to print.
    #[must_use]
    pub fn to_json(&self) -> String {
        // A value tree has no limit to break, no cycle and nothing without
        // a JSON form.
        super::json::write(self, 0, usize::MAX, usize::MAX, &mut []).unwrap_or_default()
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::None => s.serialize_unit(),
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Int(i) => s.serialize_i64(*i),
            Self::BigInt(n) => s.collect_str(n),
            Self::Float(x) if x.is_finite() => s.serialize_f64(*x),
            Self::Float(x) => {
                let text = if x.is_nan() {
                    "nan"
                } else if *x > 0.0 {
                    "inf"
                } else {
                    "-inf"
                };
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("$float", text)?;
                map.end()
            }
            Self::Str(text) => s.serialize_str(text),
            Self::Bytes(bytes) | Self::ByteArray(bytes) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(
                    "$bytes",
                    &base64::engine::general_purpose::STANDARD.encode(bytes),
                )?;
                map.end()
            }
            Self::List(items) | Self::Tuple(items) | Self::Set(items) | Self::FrozenSet(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Dict(entries) => {
                let plain = entries
                    .iter()
                    .all(|(k, _)| matches!(k, Self::Str(text) if !text.starts_with('$')));
                if plain {
                    let mut map = s.serialize_map(Some(entries.len()))?;
                    for (k, v) in entries {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                } else {
                    let mut map = s.serialize_map(Some(1))?;
                    map.serialize_entry("$dict", &Pairs(entries))?;
                    map.end()
                }
            }
        }
    }
}

struct Pairs<'a>(&'a [(Value, Value)]);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (k, v) in self.0 {
            seq.serialize_element(&(k, v))?;
        }
        seq.end()
    }
}
