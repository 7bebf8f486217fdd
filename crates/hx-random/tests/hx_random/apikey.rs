//! API keys: format, checksum catching typos, hashed storage.

use hx_random::{API_KEY_RANDOM_CHARS, ApiKey, ApiKeyHash, Error, Pepper};

#[test]
fn format_is_prefix_random_checksum() {
    for prefix in ["a", "ghp", "sk_live", "acme2", &"x".repeat(32)] {
        let key = ApiKey::generate(prefix).unwrap();
        let text = key.expose_secret();
        assert_eq!(key.prefix(), prefix);
        assert_eq!(text.len(), prefix.len() + 1 + 39);
        assert!(
            text[prefix.len() + 1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric())
        );
        assert_eq!(ApiKey::parse(text).unwrap().prefix(), prefix);
    }
    // 33 base62 characters carry at least 192 bits.
    assert!(API_KEY_RANDOM_CHARS as f64 * 62f64.log2() >= 192.0);
}

#[test]
fn bad_prefixes_say_why() {
    for (prefix, why) in [
        ("", "1 to 32"),
        ("1abc", "start with a lowercase"),
        ("Abc", "start with a lowercase"),
        ("abc_", "end with"),
        ("ab-c", "only lowercase"),
        (&"x".repeat(33), "1 to 32"),
    ] {
        let err = ApiKey::generate(prefix).unwrap_err();
        assert!(matches!(err, Error::InvalidPrefix(_)));
        assert!(err.to_string().contains(why), "{prefix:?}: {err}");
    }
}

#[test]
fn every_single_character_typo_is_caught_offline() {
    let key = ApiKey::generate("acme").unwrap();
    let text = key.expose_secret().to_owned();
    let alphabet: Vec<char> = ('0'..='9')
        .chain('A'..='Z')
        .chain('a'..='z')
        .chain(['_'])
        .collect();
    let mut tried = 0;
    for (i, original) in text.char_indices() {
        for &c in &alphabet {
            if c == original {
                continue;
            }
            let mut typo = text.clone();
            typo.replace_range(i..i + 1, &c.to_string());
            assert!(
                matches!(ApiKey::parse(&typo), Err(Error::InvalidApiKey)),
                "{i} {c}"
            );
            tried += 1;
        }
    }
    // Adjacent transpositions, truncation, extension.
    let bytes = text.as_bytes();
    for i in 0..bytes.len() - 1 {
        if bytes[i] != bytes[i + 1] {
            let mut swapped = bytes.to_vec();
            swapped.swap(i, i + 1);
            assert!(ApiKey::parse(std::str::from_utf8(&swapped).unwrap()).is_err());
        }
    }
    assert!(ApiKey::parse(&text[..text.len() - 1]).is_err());
    assert!(ApiKey::parse(&format!("{text}0")).is_err());
    assert!(tried > 2000);
}

#[test]
fn stored_hash_verifies_only_the_same_key_and_pepper() {
    let pepper = Pepper::from_bytes(&[9u8; 32]).unwrap();
    let other_pepper = Pepper::from_bytes(&[8u8; 32]).unwrap();
    let key = ApiKey::generate("acme").unwrap();
    let other = ApiKey::generate("acme").unwrap();
    let stored = key.hash(&pepper);
    let text = stored.to_string();
    assert!(text.starts_with("hmac-sha256:") && text.len() == 12 + 64);
    assert!(!text.contains(key.expose_secret()));
    let parsed: ApiKeyHash = text.parse().unwrap();
    assert_eq!(parsed, stored);
    key.verify(&pepper, &parsed).unwrap();
    assert!(matches!(
        other.verify(&pepper, &parsed),
        Err(Error::InvalidApiKey)
    ));
    assert!(matches!(
        key.verify(&other_pepper, &parsed),
        Err(Error::InvalidApiKey)
    ));
    for bad in [
        "",
        "hmac-sha256:",
        "sha256:00",
        &text[..text.len() - 1],
        &text.replace("hmac", "hmak"),
    ] {
        assert!(
            matches!(bad.parse::<ApiKeyHash>(), Err(Error::InvalidStoredHash)),
            "{bad:?}"
        );
    }
}

#[test]
fn debug_never_shows_the_key() {
    let key = ApiKey::generate("acme").unwrap();
    let shown = format!("{key:?} {:?}", Pepper::from_bytes(&[1; 16]).unwrap());
    assert!(!shown.contains(&key.expose_secret()[5..]), "{shown}");
    assert!(shown.contains("[REDACTED]") && shown.contains("acme"));
}

#[test]
fn parse_rejects_malformed_text_with_one_error() {
    let good = ApiKey::generate("acme").unwrap().expose_secret().to_owned();
    for bad in [
        String::new(),
        "acme".into(),
        "acme_".into(),
        good.replace('_', "-"),
        format!(" {good}"),
        format!("{good}\n"),
        format!("ACME{}", &good[4..]),
        "é".repeat(40),
        format!("acme_{}", "é".repeat(20)),
    ] {
        let err = ApiKey::parse(&bad).unwrap_err();
        assert!(matches!(err, Error::InvalidApiKey), "{bad:?}");
        assert_eq!(err.to_string(), "invalid API key");
    }
}
