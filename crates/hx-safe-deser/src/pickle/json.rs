//! The JSON form of a decoded pickle, written without recursion from either
//! the loader's object arena (`hx pickle load`) or a [`Value`] tree, under a
//! limit on the bytes written, a depth limit and (for the arena, where
//! objects are shared) a check for objects that contain themselves.

use std::borrow::Cow;

use base64::Engine as _;

use super::Value;
use crate::{Error, Result};

/// A value without children.
pub(crate) enum Leaf<'a> {
    None,
    Bool(bool),
    Int(i64),
    /// An int beyond 64 bits, written as its decimal text in a string.
    Big(&'a num_bigint::BigInt),
    Float(f64),
    Str(Cow<'a, str>),
    Bytes(&'a [u8]),
}

/// What a node of a tree is.
pub(crate) enum Shape<'a, E> {
    Leaf(Leaf<'a>),
    /// A list, tuple, set or frozenset.
    Seq(&'a [E]),
    Dict(&'a [(E, E)]),
}

/// A tree the writer walks: a node handle, cheap to copy.
pub(crate) trait Tree<'a>: Copy {
    /// What containers hold.
    type Elem: 'a;
    /// The node's shape; an error for what has no JSON form.
    fn shape(self) -> Result<Shape<'a, Self::Elem>>;
    /// The node a container element stands for.
    fn child(self, elem: &'a Self::Elem) -> Self;
    /// An index for the check that no container contains itself (`None`
    /// for trees that cannot share nodes).
    fn index(self) -> Option<usize>;
    /// The text of a string node (a dict key in the plain object form).
    fn text(self) -> Option<&'a str>;
}

impl<'a> Tree<'a> for &'a Value {
    type Elem = Value;

    fn shape(self) -> Result<Shape<'a, Value>> {
        Ok(match self {
            Value::None => Shape::Leaf(Leaf::None),
            Value::Bool(b) => Shape::Leaf(Leaf::Bool(*b)),
            Value::Int(n) => Shape::Leaf(Leaf::Int(*n)),
            Value::BigInt(n) => Shape::Leaf(Leaf::Big(&n.0)),
            Value::Float(x) => Shape::Leaf(Leaf::Float(*x)),
            Value::Str(s) => Shape::Leaf(Leaf::Str(Cow::Borrowed(&**s))),
            Value::Bytes(b) | Value::ByteArray(b) => Shape::Leaf(Leaf::Bytes(b)),
            Value::List(items)
            | Value::Tuple(items)
            | Value::Set(items)
            | Value::FrozenSet(items) => Shape::Seq(items),
            Value::Dict(pairs) => Shape::Dict(pairs),
        })
    }

    fn child(self, elem: &'a Value) -> Self {
        elem
    }

    fn index(self) -> Option<usize> {
        None
    }

    fn text(self) -> Option<&'a str> {
        match self {
            Value::Str(s) => Some(&**s),
            _ => None,
        }
    }
}

enum Frame<'a, T: Tree<'a>> {
    Seq {
        node: T,
        items: &'a [T::Elem],
        next: usize,
    },
    /// A dict whose keys are all plain strings: `{"k":v,...}`.
    Object {
        node: T,
        pairs: &'a [(T::Elem, T::Elem)],
        next: usize,
    },
    /// Any other dict: `{"$dict":[[k,v],...]}`; `key_done` once the key of
    /// pair `next - 1` is written.
    Pairs {
        node: T,
        pairs: &'a [(T::Elem, T::Elem)],
        next: usize,
        key_done: bool,
    },
}

/// Writes `root` as JSON: at most `max_output` bytes (`size_hint` reserved
/// up front), containers nested at most `max_depth` deep; `on_path` (one
/// flag per arena index) refuses a container met again inside itself.
pub(crate) fn write<'a, T: Tree<'a>>(
    root: T,
    size_hint: usize,
    max_output: usize,
    max_depth: usize,
    on_path: &mut [bool],
) -> Result<String> {
    let mut w = Writer {
        out: Out {
            bytes: Vec::with_capacity(size_hint.min(max_output)),
            max: max_output,
        },
        max_depth,
        on_path,
        stack: Vec::new(),
    };
    w.value(root)?;
    while let Some(frame) = w.stack.last_mut() {
        match frame {
            Frame::Seq { node, items, next } => {
                let (node, items) = (*node, *items);
                if *next < items.len() {
                    let item = &items[*next];
                    *next += 1;
                    if *next > 1 {
                        w.out.put(b",")?;
                    }
                    w.value(node.child(item))?;
                } else {
                    w.out.put(b"]")?;
                    w.leave(node);
                }
            }
            Frame::Object { node, pairs, next } => {
                let (node, pairs) = (*node, *pairs);
                if *next < pairs.len() {
                    let (k, v) = &pairs[*next];
                    *next += 1;
                    if *next > 1 {
                        w.out.put(b",")?;
                    }
                    if let Some(key) = node.child(k).text() {
                        w.out.string(key)?;
                    }
                    w.out.put(b":")?;
                    w.value(node.child(v))?;
                } else {
                    w.out.put(b"}")?;
                    w.leave(node);
                }
            }
            Frame::Pairs {
                node,
                pairs,
                next,
                key_done,
            } => {
                let (node, pairs) = (*node, *pairs);
                if *key_done {
                    *key_done = false;
                    let v = &pairs[*next - 1].1;
                    w.out.put(b",")?;
                    w.value(node.child(v))?;
                } else if *next < pairs.len() {
                    if *next > 0 {
                        w.out.put(b"],")?;
                    }
                    let k = &pairs[*next].0;
                    *next += 1;
                    *key_done = true;
                    w.out.put(b"[")?;
                    w.value(node.child(k))?;
                } else {
                    if *next > 0 {
                        w.out.put(b"]")?;
                    }
                    w.out.put(b"]}")?;
                    w.leave(node);
                }
            }
        }
    }
    // Only whole UTF-8 strings and ASCII are ever written.
    String::from_utf8(w.out.bytes).map_err(|_| Error::Malformed("JSON output".into()))
}

struct Writer<'a, 'p, T: Tree<'a>> {
    /// Checks the output limit before every write.
    out: Out,
    max_depth: usize,
    on_path: &'p mut [bool],
    stack: Vec<Frame<'a, T>>,
}

impl<'a, T: Tree<'a>> Writer<'a, '_, T> {
    /// Writes a leaf, or opens a container.
    fn value(&mut self, node: T) -> Result<()> {
        let shape = node.shape()?;
        if let Shape::Leaf(leaf) = shape {
            return self.out.leaf(&leaf);
        }
        if self.stack.len() >= self.max_depth {
            return Err(Error::DepthLimit {
                max: self.max_depth,
            });
        }
        if let Some(i) = node.index() {
            if self.on_path[i] {
                return Err(Error::Recursive);
            }
            self.on_path[i] = true;
        }
        match shape {
            Shape::Seq(items) => {
                self.out.put(b"[")?;
                self.stack.push(Frame::Seq {
                    node,
                    items,
                    next: 0,
                });
            }
            Shape::Dict(pairs) => {
                let mut plain = true;
                for (k, _) in pairs {
                    plain &= node.child(k).text().is_some_and(|s| !s.starts_with('$'));
                }
                if plain {
                    self.out.put(b"{")?;
                    self.stack.push(Frame::Object {
                        node,
                        pairs,
                        next: 0,
                    });
                } else {
                    self.out.put(b"{\"$dict\":[")?;
                    self.stack.push(Frame::Pairs {
                        node,
                        pairs,
                        next: 0,
                        key_done: false,
                    });
                }
            }
            Shape::Leaf(_) => {}
        }
        Ok(())
    }

    /// Closes the container on top.
    fn leave(&mut self, node: T) {
        if let Some(i) = node.index() {
            self.on_path[i] = false;
        }
        self.stack.pop();
    }
}

/// The output: every write is checked against the limit before it is
/// made, and the buffer never grows past the limit.
struct Out {
    bytes: Vec<u8>,
    max: usize,
}

impl Out {
    /// Makes room for `n` more bytes, or fails if they would pass the limit.
    #[inline]
    fn room(&mut self, n: usize) -> Result<()> {
        let len = self.bytes.len();
        if n <= self.bytes.capacity() - len && n <= self.max - len {
            return Ok(());
        }
        self.grow(n)
    }

    #[cold]
    fn grow(&mut self, n: usize) -> Result<()> {
        let len = self.bytes.len();
        let need = len.checked_add(n).filter(|&need| need <= self.max);
        let Some(need) = need else {
            return Err(Error::OutputLimit { max: self.max });
        };
        if need > self.bytes.capacity() {
            let grown = self
                .bytes
                .capacity()
                .saturating_mul(2)
                .min(self.max)
                .max(need);
            self.bytes.reserve_exact(grown - len);
        }
        Ok(())
    }

    #[inline]
    fn put(&mut self, text: &[u8]) -> Result<()> {
        self.room(text.len())?;
        self.bytes.extend_from_slice(text);
        Ok(())
    }

    /// A JSON string, as serde_json escapes it.
    fn string(&mut self, text: &str) -> Result<()> {
        // Escaping makes a byte at most six: within the limit by that
        // bound, the string is written at once; else its exact length
        // decides.
        let bound = text.len().saturating_mul(6).saturating_add(2);
        if bound <= self.max - self.bytes.len() {
            self.room(bound)?;
        } else {
            let escaped: usize = text
                .bytes()
                .map(|b| match b {
                    b'"' | b'\\' | 0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 2,
                    0..0x20 => 6,
                    _ => 1,
                })
                .sum();
            self.room(escaped + 2)?;
        }
        // Writing a str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.bytes, text);
        Ok(())
    }

    fn leaf(&mut self, leaf: &Leaf<'_>) -> Result<()> {
        match leaf {
            Leaf::None => self.put(b"null"),
            Leaf::Bool(true) => self.put(b"true"),
            Leaf::Bool(false) => self.put(b"false"),
            Leaf::Int(n) => self.put(itoa::Buffer::new().format(*n).as_bytes()),
            // At most 65,536 bits (the loader's limit): short text.
            Leaf::Big(n) => self.put(format!("\"{n}\"").as_bytes()),
            Leaf::Float(x) if x.is_finite() => {
                // serde_json's shortest round-trip form, at most 24 bytes.
                self.room(32)?;
                let _ = serde_json::to_writer(&mut self.bytes, x);
                Ok(())
            }
            Leaf::Float(x) => self.put(if x.is_nan() {
                b"{\"$float\":\"nan\"}"
            } else if *x > 0.0 {
                b"{\"$float\":\"inf\"}"
            } else {
                b"{\"$float\":\"-inf\"}"
            }),
            Leaf::Str(s) => self.string(s),
            Leaf::Bytes(b) => {
                let encoded = b.len().div_ceil(3) * 4;
                self.room(encoded + 14)?;
                self.bytes.extend_from_slice(b"{\"$bytes\":\"");
                let start = self.bytes.len();
                self.bytes.resize(start + encoded, 0);
                let written = base64::engine::general_purpose::STANDARD
                    .encode_slice(b, &mut self.bytes[start..])
                    .unwrap_or(0);
                self.bytes.truncate(start + written);
                self.bytes.extend_from_slice(b"\"}");
                Ok(())
            }
        }
    }
}
