//! Password policies and passphrases.

use hx_random::{
    AMBIGUOUS, DEFAULT_SYMBOLS, Error, MIN_ENTROPY_BITS, Passphrase, PasswordPolicy, eff_wordlist,
};

#[test]
fn default_policy_has_every_class() {
    let policy = PasswordPolicy::default();
    for _ in 0..200 {
        let pw = policy.generate().unwrap();
        let s = pw.expose_secret();
        assert_eq!(s.len(), 20);
        assert!(s.chars().any(|c| c.is_ascii_lowercase()));
        assert!(s.chars().any(|c| c.is_ascii_uppercase()));
        assert!(s.chars().any(|c| c.is_ascii_digit()));
        assert!(s.chars().any(|c| DEFAULT_SYMBOLS.contains(c)));
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || DEFAULT_SYMBOLS.contains(c))
        );
    }
}

#[test]
fn exclusions_and_custom_symbols_are_honoured() {
    let policy = PasswordPolicy::new(24)
        .exclude_ambiguous(true)
        .symbols("@#%")
        .min_symbols(3);
    for _ in 0..200 {
        let pw = policy.generate().unwrap();
        let s = pw.expose_secret();
        assert!(!s.chars().any(|c| AMBIGUOUS.contains(c)), "{s}");
        assert!(s.chars().filter(|c| "@#%".contains(*c)).count() >= 3);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "@#%".contains(c))
        );
    }
    let no_symbols = PasswordPolicy::new(16)
        .without_symbols()
        .generate()
        .unwrap();
    assert!(
        no_symbols
            .expose_secret()
            .chars()
            .all(|c| c.is_ascii_alphanumeric())
    );
}

#[test]
fn impossible_policies_say_why() {
    let cases: Vec<(PasswordPolicy, &str)> = vec![
        (PasswordPolicy::new(4).min_digits(5), "add up to"),
        (
            PasswordPolicy::new(30)
                .without_lowercase()
                .without_uppercase()
                .without_digits()
                .without_symbols(),
            "no character class",
        ),
        (
            PasswordPolicy::new(30).symbols("").min_symbols(1),
            "has none",
        ),
        (
            PasswordPolicy::new(16)
                .min_lowercase(0)
                .min_uppercase(0)
                .min_digits(8)
                .min_symbols(8),
            "too constrained",
        ),
    ];
    for (policy, why) in cases {
        let err = policy.generate().unwrap_err();
        assert!(
            matches!(err, Error::ImpossiblePolicy(_)),
            "{policy:?}: {err}"
        );
        assert!(err.to_string().contains(why), "{err}");
    }
    assert!(matches!(
        PasswordPolicy::new(0).generate(),
        Err(Error::InvalidLength { .. })
    ));
    assert!(matches!(
        PasswordPolicy::new(257).generate(),
        Err(Error::InvalidLength { .. })
    ));
    for bad in ["ab", "!!", "! ", "é"] {
        assert!(matches!(
            PasswordPolicy::new(20).symbols(bad).generate(),
            Err(Error::InvalidCharacters(_))
        ));
    }
}

#[test]
fn constrained_but_possible_policies_still_generate() {
    // About 1 in 100,000 random strings has 7 digits and 7 symbols.
    let policy = PasswordPolicy::new(16).min_digits(7).min_symbols(7);
    for _ in 0..3 {
        let pw = policy.generate().unwrap();
        let s = pw.expose_secret();
        assert!(s.chars().filter(char::is_ascii_digit).count() >= 7, "{s}");
        assert!(
            s.chars().filter(|c| DEFAULT_SYMBOLS.contains(*c)).count() >= 7,
            "{s}"
        );
    }
}

#[test]
fn weak_policies_are_refused_with_their_entropy() {
    let err = PasswordPolicy::new(8).generate().unwrap_err();
    match err {
        Error::WeakPolicy { bits, min_bits } => {
            assert!(bits > 50.0 && bits < 53.0, "{bits}");
            assert_eq!(min_bits, MIN_ENTROPY_BITS);
        }
        other => panic!("{other}"),
    }
    assert!(
        PasswordPolicy::new(8)
            .generate()
            .unwrap_err()
            .to_string()
            .contains("bits")
    );
    // Digits only: 20 digits is 66.4 bits (allowed), 19 is 63.1 (refused).
    let digits = |n| {
        PasswordPolicy::new(n)
            .without_lowercase()
            .without_uppercase()
            .without_symbols()
    };
    assert!(digits(20).generate().is_ok());
    assert!(matches!(
        digits(19).generate(),
        Err(Error::WeakPolicy { .. })
    ));
}

#[test]
fn entropy_without_minimums_is_length_times_log2_alphabet() {
    let policy = PasswordPolicy::new(30)
        .min_lowercase(0)
        .min_uppercase(0)
        .min_digits(0)
        .min_symbols(0);
    let alphabet = 26 + 26 + 10 + DEFAULT_SYMBOLS.len();
    let expected = 30.0 * (alphabet as f64).log2();
    assert!((policy.entropy_bits().unwrap() - expected).abs() < 1e-9);
}

#[test]
fn passphrases_use_the_eff_list() {
    let words = eff_wordlist();
    assert_eq!(words.len(), 7776);
    let unique: std::collections::HashSet<_> = words.iter().collect();
    assert_eq!(unique.len(), 7776);
    for _ in 0..100 {
        let p = Passphrase::generate(6, " ").unwrap();
        let parts: Vec<&str> = p.expose_secret().split(' ').collect();
        assert_eq!(parts.len(), 6);
        assert!(parts.iter().all(|w| words.contains(w)));
    }
    assert!(matches!(
        Passphrase::generate(4, "-"),
        Err(Error::WeakPolicy { .. })
    ));
    assert!(Passphrase::generate(5, "").is_ok());
    assert!(matches!(
        Passphrase::generate(65, "-"),
        Err(Error::InvalidLength { .. })
    ));
    assert!(matches!(
        Passphrase::generate(6, "x"),
        Err(Error::InvalidCharacters(_))
    ));
    assert!(matches!(
        Passphrase::generate(6, "\n"),
        Err(Error::InvalidCharacters(_))
    ));
    let p = Passphrase::generate(8, ".").unwrap();
    assert!(format!("{p:?}").contains("[REDACTED]"));
    assert!(!format!("{p:?}").contains(p.expose_secret().split('.').next().unwrap()));
}
