//! Property tests: no input panics the parser or `open`; a mutated file
//! never opens to different values; canonical text is a fixed point; values
//! and paths round-trip through save and open, sealed or in clear.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use hx_config::{Config, Opener};
use proptest::prelude::*;

use crate::api::get;

struct Sample {
    opener: Opener,
    text: String,
    values: BTreeMap<String, String>,
}

fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.hxc");
        let opener = Opener::Keyring(hx_aead::Keyring::generate().unwrap());
        let mut values = BTreeMap::new();
        {
            let mut config = Config::create(&path, &opener, &[]).unwrap();
            for (k, v) in [("a", "1"), ("b.c", "two"), ("b.d", ""), ("e-f.g_h", "x\ny")] {
                config.set(k, v).unwrap();
                values.insert(k.to_owned(), v.to_owned());
            }
            // and values in clear, with every kind of escape
            for (k, v) in [
                ("port", "8443"),
                ("p.q", "\"\\\t\n\u{7}\u{7f}é🔑"),
                ("p.r", ""),
            ] {
                config.set_plain(k, v).unwrap();
                values.insert(k.to_owned(), v.to_owned());
            }
            config.save().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        Sample {
            opener,
            text,
            values,
        }
    })
}

fn open_text(text: &str) -> Option<BTreeMap<String, String>> {
    let s = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.hxc");
    std::fs::write(&path, text).unwrap();
    let config = Config::open(&path, &s.opener).ok()?;
    config.verify().ok()?;
    Some(
        config
            .keys()
            .map(|k| (k.to_owned(), get(&config, k)))
            .collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = hx_config::inspect(&text);
        let _ = hx_config::hazmat::canonical(&text);
    }

    #[test]
    fn arbitrary_toml_lines_never_panic(lines in proptest::collection::vec(
        prop_oneof![
            Just("[hx]".to_owned()),
            Just("[[hx.recipient]]".to_owned()),
            Just("version = 1".to_owned()),
            Just("generation = 3".to_owned()),
            Just("type = \"keyring\"".to_owned()),
            Just("type = \"x25519\"".to_owned()),
            "[a-z.]{1,8} = \"[A-Za-z0-9_-]{0,80}\"",
            "[a-z_]{1,10} = [0-9-]{1,4}",
        ],
        0..16,
    )) {
        let text = lines.join("\n");
        let _ = hx_config::inspect(&text);
        let _ = open_text(&text);
    }

    #[test]
    fn a_mutated_file_never_opens_to_other_values(
        index in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let s = sample();
        let mut bytes = s.text.clone().into_bytes();
        let i = index.index(bytes.len());
        bytes[i] = byte;
        if let Some(values) = String::from_utf8(bytes).ok().and_then(|t| open_text(&t)) {
            prop_assert_eq!(values, s.values.clone());
        }
    }

    #[test]
    fn canonical_text_is_a_fixed_point(
        index in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let s = sample();
        prop_assert_eq!(hx_config::hazmat::canonical(&s.text).unwrap(), s.text.clone());
        let mut bytes = s.text.clone().into_bytes();
        let i = index.index(bytes.len());
        bytes[i] = byte;
        let once = String::from_utf8(bytes)
            .ok()
            .and_then(|t| hx_config::hazmat::canonical(&t).ok());
        if let Some(once) = once {
            prop_assert_eq!(hx_config::hazmat::canonical(&once).unwrap(), once);
        }
    }

    #[test]
    fn values_and_paths_round_trip(
        entries in proptest::collection::btree_map(
            "[a-z0-9_-]{1,6}(\\.[A-Za-z0-9_-]{1,6}){0,3}",
            (".{0,64}", any::<bool>()),
            1..12,
        ),
    ) {
        let s = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.hxc");
        let mut config = Config::create(&path, &s.opener, &[]).unwrap();
        let mut kept = BTreeMap::new();
        let mut in_clear = Vec::new();
        for (k, (v, plain)) in &entries {
            // Paths that are tables of another are refused, never stored.
            let set = if *plain { config.set_plain(k, v) } else { config.set(k, v) };
            if set.is_ok() {
                kept.insert(k.clone(), v.clone());
                if *plain {
                    in_clear.push(k.clone());
                }
            }
        }
        config.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        prop_assert_eq!(hx_config::hazmat::canonical(&text).unwrap(), text.clone());
        prop_assert_eq!(open_text(&text), Some(kept));
        let reopened = Config::open(&path, &s.opener).unwrap();
        let reopened_clear: Vec<String> =
            reopened.keys().filter(|k| reopened.is_plain(k)).map(str::to_owned).collect();
        prop_assert_eq!(reopened_clear, in_clear);
    }
}
