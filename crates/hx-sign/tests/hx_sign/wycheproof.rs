//! Wycheproof and RFC 8032 vectors: every case gets the result the file
//! expects. The one "acceptable" case (a PKCS#1 v1.5 signature whose
//! DigestInfo omits the NULL parameters) is rejected, as documented in
//! docs/SIGNATURES.md.

use hx_sign::ed25519::{self, Signature, SigningKey, VerifyingKey};
use hx_sign::{Error, PublicKey, rsa};
use hx_test_support::wycheproof;
use serde_json::Value;

use crate::{data, unhex};

fn groups(file: &str) -> Vec<Value> {
    let file: wycheproof::File<Value> = wycheproof::load(env!("CARGO_MANIFEST_DIR"), file);
    let cases: usize = file
        .test_groups
        .iter()
        .map(|g| g["tests"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        cases, file.number_of_tests,
        "the file's declared case count"
    );
    file.test_groups
}

fn tests(group: &Value) -> impl Iterator<Item = (u64, Vec<u8>, Vec<u8>, &str)> + '_ {
    group["tests"].as_array().unwrap().iter().map(|t| {
        (
            t["tcId"].as_u64().unwrap(),
            unhex(t["msg"].as_str().unwrap()),
            unhex(t["sig"].as_str().unwrap()),
            t["result"].as_str().unwrap(),
        )
    })
}

#[test]
fn rfc8032_sign_and_verify() {
    let doc: Value = serde_json::from_str(&data("rfc8032_ed25519.json")).unwrap();
    let cases = doc["tests"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let seed: [u8; 32] = unhex(case["secret_key"].as_str().unwrap())
            .try_into()
            .unwrap();
        let message = unhex(case["message"].as_str().unwrap());
        let key = SigningKey::from_bytes(&seed);
        let public = key.verifying_key();
        assert_eq!(
            public.as_bytes().to_vec(),
            unhex(case["public_key"].as_str().unwrap())
        );
        let sig = key.sign(&message);
        assert_eq!(
            sig.to_bytes().to_vec(),
            unhex(case["signature"].as_str().unwrap()),
            "{}",
            case["name"]
        );
        public.verify(&message, &sig).unwrap();
        let parsed = VerifyingKey::from_bytes(public.as_bytes()).unwrap();
        assert!(
            parsed
                .verify(&[message.as_slice(), b"x"].concat(), &sig)
                .is_err()
        );
    }
}

/// Wycheproof's Ed25519 file: 151 cases; single and batch verification both
/// give the expected answer for each, and a batch of all valid cases passes.
#[test]
fn wycheproof_ed25519() {
    let (mut count, mut valid) = (0, Vec::new());
    for group in groups("ed25519_test.json") {
        let pk = unhex(group["publicKey"]["pk"].as_str().unwrap());
        let der = unhex(group["publicKeyDer"].as_str().unwrap());
        let key = VerifyingKey::from_bytes(&pk);
        // The DER and PEM forms give the same key (or the same refusal).
        assert_eq!(
            VerifyingKey::from_spki_der(&der).ok(),
            key.as_ref().ok().copied(),
            "{der:02x?}"
        );
        let pem = group["publicKeyPem"].as_str().unwrap();
        assert_eq!(PublicKey::from_pem(pem.as_bytes()).is_ok(), key.is_ok());
        for (id, msg, sig, result) in tests(&group) {
            count += 1;
            let accepted = match (&key, Signature::from_bytes(&sig)) {
                (Ok(key), Ok(sig)) => {
                    let single = key.verify(&msg, &sig).is_ok();
                    let batch = ed25519::verify_batch(&[(&msg, &sig, key)]).is_ok();
                    assert_eq!(single, batch, "tcId {id}: batch disagrees with single");
                    if single {
                        valid.push((msg.clone(), sig, *key));
                    }
                    single
                }
                _ => false,
            };
            assert_eq!(accepted, result == "valid", "tcId {id} ({result})");
        }
    }
    assert_eq!(count, 151);
    assert_eq!(valid.len(), 88);
    let items: Vec<_> = valid.iter().map(|(m, s, k)| (m.as_slice(), s, k)).collect();
    ed25519::verify_batch(&items).unwrap();
}

/// Wycheproof RSA-PSS files: 2048 and 3072 bits with salt length 32 (the
/// default verification), 2048 bits with salt length 0 (explicit length).
#[test]
fn wycheproof_rsa_pss() {
    let files = [
        ("rsa_pss_2048_sha256_mgf1_32_test.json", 108),
        ("rsa_pss_2048_sha256_mgf1_0_test.json", 103),
        ("rsa_pss_3072_sha256_mgf1_32_test.json", 108),
    ];
    for (file, expected) in files {
        let mut count = 0;
        for group in groups(file) {
            assert_eq!(group["sha"], "SHA-256");
            assert_eq!(group["mgfSha"], "SHA-256");
            let salt_len = group["sLen"].as_u64().unwrap() as usize;
            let der = unhex(group["publicKeyDer"].as_str().unwrap());
            let key = rsa::VerifyingKey::from_spki_der(&der).unwrap();
            let pem = group["publicKeyPem"].as_str().unwrap();
            assert_eq!(rsa::VerifyingKey::from_pem(pem.as_bytes()).unwrap(), key);
            assert_eq!(key.bits(), group["keySize"].as_u64().unwrap() as usize);
            for (id, msg, sig, result) in tests(&group) {
                count += 1;
                let explicit = key
                    .verify_pss_sha256_with_salt_len(&msg, &sig, salt_len)
                    .is_ok();
                assert_eq!(explicit, result == "valid", "{file} tcId {id}");
                if salt_len == 32 {
                    let default = key.verify_pss_sha256(&msg, &sig).is_ok();
                    assert_eq!(
                        default, explicit,
                        "{file} tcId {id}: default path disagrees"
                    );
                    // The streaming (prehashed) path agrees on every case.
                    let digest = rsa::MessageDigest::sha256_reader(&msg[..]).unwrap();
                    assert_eq!(
                        key.verify_pss_sha256_digest(&digest, &sig).is_ok(),
                        explicit,
                        "{file} tcId {id}: digest path disagrees"
                    );
                } else if explicit {
                    // A salt-32 verifier never accepts a valid salt-0 signature.
                    assert!(
                        key.verify_pss_sha256(&msg, &sig).is_err(),
                        "{file} tcId {id}"
                    );
                }
            }
        }
        assert_eq!(count, expected, "{file}");
    }
}

/// Wycheproof PKCS#1 v1.5 SHA-256 verification: 259 cases.
#[test]
fn wycheproof_rsa_pkcs1v15() {
    let mut count = 0;
    for group in groups("rsa_signature_2048_sha256_test.json") {
        let der = unhex(group["publicKeyDer"].as_str().unwrap());
        let key = rsa::VerifyingKey::from_spki_der(&der).unwrap();
        for (id, msg, sig, result) in tests(&group) {
            count += 1;
            let accepted = key.verify_pkcs1v15_sha256(&msg, &sig).is_ok();
            // "acceptable" (MissingNull, tcId 66...) is rejected by policy.
            assert_eq!(accepted, result == "valid", "tcId {id} ({result})");
            let digest = rsa::MessageDigest::sha256(&msg);
            assert_eq!(
                key.verify_pkcs1v15_sha256_digest(&digest, &sig).is_ok(),
                accepted,
                "tcId {id}: digest path disagrees"
            );
            if accepted {
                // A PKCS#1 v1.5 signature is never a PSS signature.
                assert!(matches!(
                    key.verify_pss_sha256(&msg, &sig),
                    Err(Error::InvalidSignature)
                ));
            }
        }
    }
    assert_eq!(count, 259);
}
