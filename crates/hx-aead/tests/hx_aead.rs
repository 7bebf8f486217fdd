//! hx-aead's integration tests, grouped by the source of their vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    missing_docs
)]

#[path = "hx_aead/fernet_spec.rs"]
mod fernet_spec;
#[path = "hx_aead/format.rs"]
mod format;
#[path = "hx_aead/keyring.rs"]
mod keyring;
#[path = "hx_aead/peer.rs"]
mod peer;
#[path = "hx_aead/properties.rs"]
mod properties;
#[path = "hx_aead/sealed_peer.rs"]
mod sealed_peer;
#[path = "hx_aead/stream.rs"]
mod stream;
#[path = "hx_aead/wycheproof.rs"]
mod wycheproof;

pub use hx_test_support::unhex;

/// Reads a file from `tests/data/`.
pub fn data(name: &str) -> String {
    hx_test_support::data(env!("CARGO_MANIFEST_DIR"), name)
}

/// Unix seconds of an RFC 3339 time such as `1985-10-26T01:20:00-07:00`.
pub fn rfc3339(s: &str) -> u64 {
    let num = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (num(0, 4), num(5, 7), num(8, 10));
    let (hh, mm, ss) = (num(11, 13), num(14, 16), num(17, 19));
    let offset = match &s[19..] {
        "Z" => 0,
        tz => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            sign * (tz[1..3].parse::<i64>().unwrap() * 3600 + tz[4..6].parse::<i64>().unwrap() * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + hh * 3600 + mm * 60 + ss - offset) as u64
}

#[test]
fn rfc3339_parses_known_instants() {
    assert_eq!(rfc3339("1970-01-01T00:00:00Z"), 0);
    assert_eq!(rfc3339("1985-10-26T01:20:00-07:00"), 499_162_800);
    assert_eq!(rfc3339("2000-03-01T00:00:00+01:00"), 951_865_200);
}

/// A keyring's listing has text forms (`primary`, `xchacha20poly1305`) as
/// `Display` / `FromStr`, and serde writes `KeyInfo` with them.
#[test]
fn key_information_has_a_text_form() {
    use hx_aead::{KeyKind, KeyState};
    for state in [KeyState::Primary, KeyState::Active, KeyState::Retired] {
        assert_eq!(state.to_string().parse::<KeyState>().unwrap(), state);
    }
    for kind in [KeyKind::XChaCha20Poly1305, KeyKind::FernetLegacy] {
        assert_eq!(kind.to_string().parse::<KeyKind>().unwrap(), kind);
    }
    assert!("Primary".parse::<KeyState>().is_err());
    #[cfg(feature = "serde")]
    {
        let ring = hx_aead::Keyring::generate().unwrap();
        let info = ring.list()[0];
        let json = serde_json::to_value(info).unwrap();
        assert_eq!(json["state"], "primary");
        assert_eq!(json["kind"], "xchacha20poly1305");
        assert_eq!(json["id"], info.id);
        let read: hx_aead::KeyInfo = serde_json::from_value(json).unwrap();
        assert_eq!(read, info);
    }
}
