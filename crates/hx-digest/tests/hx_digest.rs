//! hx-digest's integration tests, grouped by the source of their vectors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_digest/blake2_kat.rs"]
mod blake2_kat;
#[path = "hx_digest/nist.rs"]
mod nist;
#[path = "hx_digest/peer.rs"]
mod peer;
#[path = "hx_digest/properties.rs"]
mod properties;
#[path = "hx_digest/rfc.rs"]
mod rfc;
#[path = "hx_digest/wycheproof.rs"]
mod wycheproof;

pub use hx_test_support::unhex;

/// Reads a file from `tests/data/`.
pub fn data(name: &str) -> String {
    hx_test_support::data(env!("CARGO_MANIFEST_DIR"), name)
}

/// Algorithm names are the text form (`Display` / `FromStr`, any case on
/// input), and serde uses it.
#[test]
fn algorithms_have_a_text_form() {
    use hx_digest::{Algorithm, HkdfAlgorithm, HmacAlgorithm};
    for alg in Algorithm::ALL {
        assert_eq!(alg.to_string().parse::<Algorithm>().unwrap(), alg);
    }
    for alg in HmacAlgorithm::ALL {
        assert_eq!(alg.to_string().parse::<HmacAlgorithm>().unwrap(), alg);
    }
    for alg in HkdfAlgorithm::ALL {
        assert_eq!(
            alg.to_string()
                .to_uppercase()
                .parse::<HkdfAlgorithm>()
                .unwrap(),
            alg
        );
    }
    assert!("sha1".parse::<HkdfAlgorithm>().is_err());
    #[cfg(feature = "serde")]
    {
        assert_eq!(
            serde_json::to_string(&Algorithm::Sha3_256).unwrap(),
            "\"sha3-256\""
        );
        assert_eq!(
            serde_json::from_str::<HmacAlgorithm>("\"sha512\"").unwrap(),
            HmacAlgorithm::Sha512
        );
        assert_eq!(
            serde_json::to_string(&HkdfAlgorithm::Sha256).unwrap(),
            "\"sha256\""
        );
        assert!(serde_json::from_str::<Algorithm>("\"md5\"").is_err());
    }
}

/// A digest's text form is its hex; with `serde` it serializes as that.
#[test]
fn digests_have_a_text_form() {
    let d = hx_digest::hash(hx_digest::Algorithm::Sha256, b"abc");
    assert_eq!(
        d.to_string()
            .to_uppercase()
            .parse::<hx_digest::Digest>()
            .unwrap(),
        d
    );
    assert!("xyz".parse::<hx_digest::Digest>().is_err());
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"{}\"", d.to_hex()));
        assert_eq!(serde_json::from_str::<hx_digest::Digest>(&json).unwrap(), d);
    }
}
