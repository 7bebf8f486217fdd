//! API keys and stored hashes: parsing never panics; what parses is canonical
//! (its text is exactly the input) and its checksum holds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(key) = hx_random::ApiKey::parse(text) {
        assert_eq!(key.expose_secret(), text);
        assert!(text.starts_with(key.prefix()));
    }
    if let Ok(stored) = text.parse::<hx_random::ApiKeyHash>() {
        // Canonical up to hex case and surrounding whitespace.
        assert_eq!(stored.to_string(), text.trim().to_ascii_lowercase());
    }
});
