//! Typed loading: a config file (plus environment overrides) decoded into the
//! application's own struct, whose secret fields are
//! [`secrecy::SecretString`].
//!
//! Every value in the file is a string; fields of other types (`u16`,
//! `bool`, `f64`…) are parsed from it. Variables named `HX__<PATH>` override
//! the file, with `__` between segments and the path in upper case:
//! `HX__DATABASE__PASSWORD` sets `database.password`, as twelve-factor apps
//! expect. Errors name the key path and the expected type, never the value.

use std::collections::BTreeMap;
use std::path::Path;

use secrecy::{ExposeSecret as _, SecretString};
use serde::de::{self, DeserializeOwned, IntoDeserializer as _, Visitor};
use zeroize::Zeroizing;

use crate::path::{join, table_conflict};
use crate::{Config, Error, Opener, Result, override_target};

/// Opens `path` with `opener`, applies `HX__…` overrides from the process
/// environment, and decodes the result into `T`.
///
/// # Example
/// ```
/// use secrecy::{ExposeSecret, SecretString};
///
/// #[derive(serde::Deserialize)]
/// struct Settings {
///     database: Database,
/// }
/// #[derive(serde::Deserialize)]
/// struct Database {
///     host: String,
///     port: u16,
///     password: SecretString,
/// }
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("app.hxc");
/// let opener = hx_config::Opener::Keyring(hx_aead::Keyring::generate()?);
/// let mut config = hx_config::Config::create(&path, &opener, &[])?;
/// config.set("database.host", "db.internal")?;
/// config.set("database.port", "5432")?;
/// config.set("database.password", "hunter2")?;
/// config.save()?;
///
/// let settings: Settings = hx_config::load_with_env(&path, &opener, [
///     ("HX__DATABASE__HOST", "replica.internal"),
/// ])?;
/// assert_eq!(settings.database.host, "replica.internal");
/// assert_eq!(settings.database.port, 5432);
/// assert_eq!(settings.database.password.expose_secret(), "hunter2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Those of [`Config::open`]; [`Error::Value`] naming the key path when a
/// value does not fit its field.
pub fn load<T: DeserializeOwned>(path: impl AsRef<Path>, opener: &Opener) -> Result<T> {
    let vars = override_vars();
    load_with_env(
        path,
        opener,
        vars.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// [`load`] with the override variables given explicitly (variables not
/// starting with `HX__` are ignored).
///
/// # Errors
/// As [`load`]; [`Error::PathConflict`] if an override makes a path both a
/// value and a table.
pub fn load_with_env<T, I, K, V>(path: impl AsRef<Path>, opener: &Opener, vars: I) -> Result<T>
where
    T: DeserializeOwned,
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let config = Config::open(path, opener)?;
    let mut values: BTreeMap<String, Zeroizing<String>> = BTreeMap::new();
    for (path, value) in apply_overrides(config.values()?, vars)? {
        values.insert(path, Zeroizing::new(value.expose_secret().to_owned()));
    }
    from_values(values)
}

/// `values` (as [`Config::values`] gives them) with the `HX__…` variables
/// among `vars` applied: each sets the key [`override_target`] names,
/// replacing the file's value or adding one. The result is sorted by path.
///
/// # Errors
/// [`Error::PathConflict`] if an override makes a path both a value and a
/// table.
///
/// # Example
/// ```
/// use secrecy::{ExposeSecret, SecretString};
/// let values = vec![("API_KEY".to_owned(), SecretString::from("from the file"))];
/// let values = hx_config::apply_overrides(values, [("HX__API_KEY", "from the environment")])?;
/// assert_eq!(values[0].1.expose_secret(), "from the environment");
/// # Ok::<(), hx_config::Error>(())
/// ```
pub fn apply_overrides<I, K, V>(
    values: Vec<(String, SecretString)>,
    vars: I,
) -> Result<Vec<(String, SecretString)>>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut map: BTreeMap<String, SecretString> = values.into_iter().collect();
    for (name, value) in vars {
        if let Some(path) = override_target(name.as_ref(), map.keys().map(String::as_str)) {
            map.insert(path, SecretString::from(value.as_ref()));
        }
    }
    if let Some((path, existing)) = map
        .keys()
        .find_map(|p| table_conflict(&map, p).map(|e| (p.clone(), e.to_owned())))
    {
        return Err(Error::PathConflict { path, existing });
    }
    Ok(map.into_iter().collect())
}

/// The `HX__…` variables of this process (those that are UTF-8).
#[must_use]
pub fn override_vars() -> Vec<(String, Zeroizing<String>)> {
    std::env::vars_os()
        .filter_map(|(k, v)| {
            let k = k.into_string().ok()?;
            k.starts_with("HX__")
                .then(|| v.into_string().ok().map(|v| (k, Zeroizing::new(v))))
                .flatten()
        })
        .collect()
}

/// Decodes `T` from flat key paths and values.
pub(crate) fn from_values<T: DeserializeOwned>(
    values: BTreeMap<String, Zeroizing<String>>,
) -> Result<T> {
    if let Some((path, existing)) = values
        .keys()
        .find_map(|p| table_conflict(&values, p).map(|e| (p.clone(), e.to_owned())))
    {
        return Err(Error::PathConflict { path, existing });
    }
    let mut root = BTreeMap::new();
    for (path, value) in values {
        insert(&mut root, &path, value);
    }
    T::deserialize(NodeDe {
        node: Node::Table(root),
        path: String::new(),
    })
}

enum Node {
    Leaf(Zeroizing<String>),
    Table(BTreeMap<String, Node>),
}

fn insert(table: &mut BTreeMap<String, Node>, path: &str, value: Zeroizing<String>) {
    match path.split_once('.') {
        None => {
            table.insert(path.to_owned(), Node::Leaf(value));
        }
        Some((head, rest)) => {
            let node = table
                .entry(head.to_owned())
                .or_insert_with(|| Node::Table(BTreeMap::new()));
            if let Node::Table(inner) = node {
                insert(inner, rest, value);
            }
        }
    }
}

struct NodeDe {
    node: Node,
    path: String,
}

impl NodeDe {
    fn fail(&self, reason: &str) -> Error {
        Error::Value {
            path: self.path.clone(),
            reason: reason.to_owned(),
        }
    }

    fn leaf(&self, expected: &str) -> Result<&str> {
        match &self.node {
            Node::Leaf(s) => Ok(s.trim()),
            Node::Table(_) => Err(self.fail(&format!("expected {expected}, found a table"))),
        }
    }

    fn at(&self, e: Error) -> Error {
        at_path(&self.path, e)
    }
}

/// Gives an error raised without a key path (by serde or the application's
/// `Deserialize`) the path it happened at.
fn at_path(path: &str, e: Error) -> Error {
    match e {
        Error::Value { path: p, reason } if p.is_empty() => Error::Value {
            path: path.to_owned(),
            reason,
        },
        other => other,
    }
}

macro_rules! parse_number {
    ($($method:ident $visit:ident $ty:ty, $what:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            let parsed: $ty = self
                .leaf($what)?
                .parse()
                .map_err(|_| self.fail(concat!("expected ", $what)))?;
            visitor.$visit(parsed).map_err(|e| self.at(e))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDe {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.node {
            Node::Leaf(s) => visitor.visit_str(&s).map_err(|e| at_path(&self.path, e)),
            Node::Table(t) => visitor
                .visit_map(MapDe {
                    iter: t.into_iter(),
                    value: None,
                    path: self.path.clone(),
                })
                .map_err(|e| at_path(&self.path, e)),
        }
    }

    parse_number! {
        deserialize_bool visit_bool bool, "a boolean (true or false)";
        deserialize_i8 visit_i8 i8, "an integer (i8)";
        deserialize_i16 visit_i16 i16, "an integer (i16)";
        deserialize_i32 visit_i32 i32, "an integer (i32)";
        deserialize_i64 visit_i64 i64, "an integer (i64)";
        deserialize_i128 visit_i128 i128, "an integer (i128)";
        deserialize_u8 visit_u8 u8, "an integer from 0 to 255";
        deserialize_u16 visit_u16 u16, "an integer from 0 to 65535";
        deserialize_u32 visit_u32 u32, "an integer (u32)";
        deserialize_u64 visit_u64 u64, "an integer (u64)";
        deserialize_u128 visit_u128 u128, "an integer (u128)";
        deserialize_f32 visit_f32 f32, "a number";
        deserialize_f64 visit_f64 f64, "a number";
        deserialize_char visit_char char, "a single character";
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let variant = self.leaf("a variant name")?.to_owned();
        visitor
            .visit_enum(variant.as_str().into_deserializer())
            .map_err(|e: Error| self.at(e))
    }

    serde::forward_to_deserialize_any! {
        str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct MapDe {
    iter: std::collections::btree_map::IntoIter<String, Node>,
    value: Option<(String, Node)>,
    path: String,
}

impl<'de> de::MapAccess<'de> for MapDe {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((key, node)) = self.iter.next() else {
            return Ok(None);
        };
        let path = join(&self.path, &key);
        let result = seed
            .deserialize(key.as_str().into_deserializer())
            .map_err(|e: Error| at_path(&path, e));
        self.value = Some((path, node));
        result.map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (path, node) = self.value.take().ok_or_else(|| Error::Value {
            path: self.path.clone(),
            reason: "value without a key".into(),
        })?;
        seed.deserialize(NodeDe { node, path })
    }
}
