//! Property tests: no input makes a parser or generator panic.

use hx_random::{ApiKey, ApiKeyHash, CsrfKey, Passphrase, PasswordPolicy};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn api_key_parse_never_panics(text in ".{0,80}") {
        let _ = ApiKey::parse(&text);
        let _ = text.parse::<ApiKeyHash>();
    }

    #[test]
    fn api_key_parse_never_panics_on_near_misses(prefix in "[a-z][a-z0-9_]{0,10}", body in "[0-9A-Za-z_é]{30,45}") {
        let _ = ApiKey::parse(&format!("{prefix}_{body}"));
    }

    #[test]
    fn generated_keys_always_parse(prefix in "[a-z]([a-z0-9_]{0,30}[a-z0-9])?") {
        let key = ApiKey::generate(&prefix).unwrap();
        let parsed = ApiKey::parse(key.expose_secret()).unwrap();
        prop_assert_eq!(parsed.prefix(), prefix.as_str());
    }

    #[test]
    fn csrf_verify_never_panics(token in ".{0,120}", session in ".{0,20}") {
        let key = CsrfKey::from_bytes(&[3u8; 32]).unwrap();
        prop_assert!(key.verify(&session, &token).is_err());
    }

    #[test]
    fn csrf_round_trips_and_binds_the_session(session in ".{0,40}", other in ".{0,40}") {
        let key = CsrfKey::from_bytes(&[5u8; 32]).unwrap();
        let token = key.issue(&session).unwrap();
        prop_assert!(key.verify(&session, &token).is_ok());
        if other != session {
            prop_assert!(key.verify(&other, &token).is_err());
        }
    }

    #[test]
    fn password_policies_never_panic(
        length in 0usize..300,
        mins in prop::array::uniform4(prop::option::of(0usize..12)),
        symbols in "[!-/:-@]{0,10}",
        ambiguous in any::<bool>(),
    ) {
        let mut p = PasswordPolicy::new(length).symbols(&symbols).exclude_ambiguous(ambiguous);
        p = match mins[0] { Some(n) => p.min_lowercase(n), None => p.without_lowercase() };
        p = match mins[1] { Some(n) => p.min_uppercase(n), None => p.without_uppercase() };
        p = match mins[2] { Some(n) => p.min_digits(n), None => p.without_digits() };
        p = match mins[3] { Some(n) => p.min_symbols(n), None => p.without_symbols() };
        if let Ok(pw) = p.generate() {
            prop_assert_eq!(pw.expose_secret().len(), length);
            prop_assert!(pw.entropy_bits() >= 64.0);
        }
    }

    #[test]
    fn passphrases_never_panic(words in 0usize..80, sep in ".{0,10}") {
        if let Ok(p) = Passphrase::generate(words, &sep) {
            prop_assert!(p.entropy_bits() >= 64.0);
        }
    }
}
