//! Peer test: Python's standard library (`base64`, `re`, `zlib`, `hmac`,
//! exact integer counting) agrees with hx-random's encodings, checksums,
//! stored hashes, CSRF MACs and password entropies.
//!
//! The interpreter is `$HX_PYTHON` (set by `cargo xtask ci`) or `python3`;
//! a missing peer fails the test.

use hx_random::{
    API_KEY_REGEX, ApiKey, CsrfKey, DEFAULT_SYMBOLS, PasswordPolicy, Pepper, token_urlsafe,
};
use hx_test_support::python_json;
use serde_json::json;

#[test]
fn python_stdlib_agrees() {
    let sizes = [1usize, 2, 3, 4, 5, 16, 31, 32, 33, 100];
    let tokens: Vec<String> = sizes
        .iter()
        .map(|&n| token_urlsafe(n).unwrap().to_string())
        .collect();

    let pepper_bytes = hx_random::token_bytes(32).unwrap();
    let pepper = Pepper::from_bytes(&pepper_bytes).unwrap();
    let keys: Vec<ApiKey> = ["acme", "sk_live", "ghp", "z9"]
        .iter()
        .map(|p| ApiKey::generate(p).unwrap())
        .collect();

    // (length, minimums) for policies with the default alphabet.
    let policies = [
        (20usize, [1usize, 1, 1, 1]),
        (12, [1, 1, 1, 1]),
        (16, [2, 2, 2, 2]),
        (24, [0, 3, 0, 5]),
    ];
    let sizes_default = [26usize, 26, 10, DEFAULT_SYMBOLS.len()];

    let secret = hx_random::token_bytes(32).unwrap();
    let csrf_key = CsrfKey::from_bytes(&secret).unwrap();
    let sessions = ["s1", "", "sessión-ü", "a.b.c"];
    let csrf_tokens: Vec<String> = sessions
        .iter()
        .map(|s| csrf_key.issue(s).unwrap().to_string())
        .collect();

    let request = json!({
        "tokens": tokens,
        "api_keys": keys.iter().map(|k| json!({
            "key": k.expose_secret(), "regex": API_KEY_REGEX, "pepper_hex": hex::encode(&*pepper_bytes)
        })).collect::<Vec<_>>(),
        "policies": policies.iter().map(|(len, mins)| json!({
            "length": len, "sizes": sizes_default, "minimums": mins
        })).collect::<Vec<_>>(),
        "csrf": sessions.iter().zip(&csrf_tokens).map(|(s, t)| json!({
            "secret_hex": hex::encode(&*secret), "session": s, "token": t
        })).collect::<Vec<_>>(),
    });

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/random_peer.py");
    let answer = python_json(script, &[], &request);

    for (i, n) in sizes.iter().enumerate() {
        assert_eq!(answer["tokens"][i]["len"], json!(n), "token_urlsafe({n})");
        assert_eq!(
            answer["tokens"][i]["same"],
            json!(true),
            "token_urlsafe({n}) encoding"
        );
    }
    for (i, key) in keys.iter().enumerate() {
        let a = &answer["api_keys"][i];
        assert_eq!(
            a["full_match"],
            json!(true),
            "published regex matches {}",
            key.prefix()
        );
        assert_eq!(
            a["found"],
            json!([key.expose_secret()]),
            "regex finds exactly the key in text"
        );
        assert_eq!(a["checksum_ok"], json!(true), "zlib.crc32 in base62 agrees");
        assert_eq!(
            a["stored"],
            json!(key.hash(&pepper).to_string()),
            "hmac-sha256 agrees"
        );
    }
    for (i, (len, mins)) in policies.iter().enumerate() {
        let mut p = PasswordPolicy::new(*len)
            .min_lowercase(mins[0])
            .min_uppercase(mins[1])
            .min_digits(mins[2])
            .min_symbols(mins[3]);
        p = p.exclude_ambiguous(false);
        let exact = answer["policies"][i].as_f64().unwrap();
        let ours = p.entropy_bits().unwrap();
        assert!(
            (ours - exact).abs() < 1e-9,
            "policy {len} {mins:?}: {ours} vs exact {exact}"
        );
    }
    for (i, t) in csrf_tokens.iter().enumerate() {
        let mac = t.split_once('.').unwrap().1;
        assert_eq!(
            answer["csrf"][i],
            json!(mac),
            "CSRF MAC for session {:?}",
            sessions[i]
        );
    }
}
