//! Typed loading, environment overrides and the figment provider.

use std::collections::BTreeMap;

use hx_config::{Config, Error, Opener};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use crate::api::keyring;

#[derive(Deserialize, Debug)]
struct Settings {
    database: Database,
    mode: Mode,
    debug: bool,
    ratio: f64,
    #[serde(default)]
    optional: Option<String>,
    extra: BTreeMap<String, SecretString>,
}

#[derive(Deserialize, Debug)]
struct Database {
    host: String,
    port: u16,
    password: SecretString,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Live,
    Test,
}

fn file(dir: &tempfile::TempDir, opener: &Opener, values: &[(&str, &str)]) -> std::path::PathBuf {
    let path = dir.path().join("app.hxc");
    let _ = std::fs::remove_file(&path);
    let mut config = Config::create(&path, opener, &[]).unwrap();
    for (k, v) in values {
        config.set(k, v).unwrap();
    }
    config.save().unwrap();
    path
}

const BASE: &[(&str, &str)] = &[
    ("database.host", "db.internal"),
    ("database.port", "5432"),
    ("database.password", "hunter2"),
    ("mode", "live"),
    ("debug", "false"),
    ("ratio", "0.25"),
    ("extra.one", "1"),
    ("extra.two", "2"),
];

#[test]
fn typed_loading_with_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let opener = keyring();
    let path = file(&dir, &opener, BASE);
    let none: [(&str, &str); 0] = [];
    let s: Settings = hx_config::load_with_env(&path, &opener, none).unwrap();
    assert_eq!(s.database.host, "db.internal");
    assert_eq!(s.database.port, 5432);
    assert_eq!(s.database.password.expose_secret(), "hunter2");
    assert_eq!(s.mode, Mode::Live);
    assert!(!s.debug);
    assert!((s.ratio - 0.25).abs() < f64::EPSILON);
    assert_eq!(s.optional, None);
    assert_eq!(s.extra.len(), 2);
    assert!(!format!("{s:?}").contains("hunter2"));

    let s: Settings = hx_config::load_with_env(
        &path,
        &opener,
        [
            ("HX__DATABASE__PASSWORD", "from-env"),
            ("HX__DATABASE__PORT", "6543"),
            ("HX__OPTIONAL", "set"),
            ("HX__EXTRA__THREE", "3"),
            ("DATABASE__PASSWORD", "ignored: no HX__ prefix"),
        ],
    )
    .unwrap();
    assert_eq!(s.database.password.expose_secret(), "from-env");
    assert_eq!(s.database.port, 6543);
    assert_eq!(s.optional.as_deref(), Some("set"));
    assert_eq!(s.extra.len(), 3);
}

/// An override names the key spelled as the variable, else the one key
/// equal to it ignoring case, else the lower-case path; a key written in
/// upper case (as `.env` imports keep them) can be overridden.
#[test]
fn overrides_reach_keys_written_in_upper_case() {
    #[derive(Deserialize)]
    #[allow(non_snake_case)]
    struct Upper {
        API_KEY: String,
        Mixed: String,
        lower: String,
        added: String,
    }
    let dir = tempfile::tempdir().unwrap();
    let opener = keyring();
    let path = file(
        &dir,
        &opener,
        &[("API_KEY", "file"), ("Mixed", "file"), ("lower", "file")],
    );
    let s: Upper = hx_config::load_with_env(
        &path,
        &opener,
        [
            ("HX__API_KEY", "env-upper"),
            ("HX__MIXED", "env-mixed"),
            ("HX__LOWER", "env-lower"),
            ("HX__ADDED", "env-added"),
        ],
    )
    .unwrap();
    assert_eq!(
        [s.API_KEY, s.Mixed, s.lower, s.added],
        ["env-upper", "env-mixed", "env-lower", "env-added"]
    );
    // two keys equal ignoring case: the variable's own spelling, else none
    // of them (the lower-case path)
    let keys = ["Api_Key", "API_KEY"];
    assert_eq!(
        hx_config::override_target("HX__API_KEY", keys).as_deref(),
        Some("API_KEY")
    );
    assert_eq!(
        hx_config::override_target("HX__Api_KEY", keys).as_deref(),
        Some("api_key")
    );
    assert_eq!(hx_config::override_target("HX__HX__X", keys), None);
    // an override that makes a value a table is a conflict, not a silent drop
    let values = vec![("a".to_owned(), SecretString::from("1"))];
    assert!(matches!(
        hx_config::apply_overrides(values, [("HX__A__B", "2")]),
        Err(Error::PathConflict { .. })
    ));
}

#[test]
fn errors_name_the_path_and_type_never_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let opener = keyring();
    let mut values = BASE.to_vec();
    values[1] = ("database.port", "secret-not-a-port");
    let path = file(&dir, &opener, &values);
    let none: [(&str, &str); 0] = [];
    let err = hx_config::load_with_env::<Settings, _, _, _>(&path, &opener, none).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Value { .. }));
    assert!(
        message.contains("database.port") && message.contains("65535"),
        "{message}"
    );
    assert!(!message.contains("secret-not-a-port"), "{message}");

    let mut values = BASE.to_vec();
    values[3] = ("mode", "secret-mode");
    let path = file(&dir, &opener, &values);
    let err = hx_config::load_with_env::<Settings, _, _, _>(&path, &opener, none).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("mode") && !message.contains("secret-mode"),
        "{message}"
    );

    let values: Vec<_> = BASE
        .iter()
        .copied()
        .filter(|(k, _)| *k != "debug")
        .collect();
    let path = file(&dir, &opener, &values);
    let err = hx_config::load_with_env::<Settings, _, _, _>(&path, &opener, none).unwrap_err();
    assert!(err.to_string().contains("missing key `debug`"), "{err}");

    // An override that makes a value a table.
    let path = file(&dir, &opener, BASE);
    let err =
        hx_config::load_with_env::<Settings, _, _, _>(&path, &opener, [("HX__DEBUG__X", "1")])
            .unwrap_err();
    assert!(matches!(err, Error::PathConflict { .. }), "{err}");

    // ... also when another path sorts between the two (`debug-x`).
    let mut values = BASE.to_vec();
    values.push(("debug-x", "1"));
    let path = file(&dir, &opener, &values);
    let err =
        hx_config::load_with_env::<Settings, _, _, _>(&path, &opener, [("HX__DEBUG__X", "1")])
            .unwrap_err();
    assert!(matches!(err, Error::PathConflict { .. }), "{err}");
}

/// Runs under `--all-features` (as `cargo xtask ci` does).
#[cfg(feature = "figment")]
#[test]
fn figment_provider() {
    let dir = tempfile::tempdir().unwrap();
    let opener = keyring();
    let path = file(&dir, &opener, BASE);
    let figment =
        figment::Figment::new().merge(hx_config::figment::EncryptedFile::new(&path, &opener));
    let password: SecretString = figment.extract_inner("database.password").unwrap();
    assert_eq!(password.expose_secret(), "hunter2");
    let host: String = figment.extract_inner("database.host").unwrap();
    assert_eq!(host, "db.internal");
}
