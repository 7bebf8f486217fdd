//! Published vectors: Wycheproof X25519 and RSA-OAEP, RFC 7748, RFC 9180
//! (all four modes with ChaCha20-Poly1305, both sender and receiver side),
//! the X-Wing draft, concrete-hybrid-KEM and HPKE-PQ vectors.

use ::hpke as hpke_crate;
use hpke_crate::{Deserializable as _, Kem as _, Serializable as _};
use hx_kex::hpke::{self, Psk};
use hx_kex::x25519::{PublicKey, StaticSecret};
use hx_kex::{Error, hazmat, rsa_oaep, xwing};
use hx_test_support::wycheproof;
use serde_json::Value;

use crate::{arr32, data, unhex};

fn json(name: &str) -> Value {
    serde_json::from_str(&data(name)).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("field {k}"))
}

/// Wycheproof X25519: 518 cases. Valid ones give the expected secret;
/// "acceptable" ones too (twist points, non-canonical public keys), except
/// the all-zero results (low-order public keys), which hx refuses.
#[test]
fn wycheproof_x25519() {
    let file: wycheproof::File<Value> =
        wycheproof::load(env!("CARGO_MANIFEST_DIR"), "x25519_test.json");
    let (mut count, mut refused) = (0, 0);
    for group in &file.test_groups {
        for t in group["tests"].as_array().unwrap() {
            count += 1;
            let id = &t["tcId"];
            let secret = StaticSecret::from_bytes(&arr32(s(t, "private")));
            let public = PublicKey::from_bytes(&unhex(s(t, "public"))).unwrap();
            let expected = unhex(s(t, "shared"));
            let result = secret.agree(&public);
            if expected.iter().all(|&b| b == 0) {
                assert!(matches!(result, Err(Error::NonContributory)), "tcId {id}");
                let flags: Vec<&str> = t["flags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap())
                    .collect();
                assert!(flags.contains(&"ZeroSharedSecret"), "tcId {id}");
                refused += 1;
            } else {
                assert_ne!(s(t, "result"), "invalid", "tcId {id}");
                assert_eq!(
                    result.unwrap().expose_secret().to_vec(),
                    expected,
                    "tcId {id}"
                );
            }
        }
    }
    assert_eq!(count, 518);
    assert_eq!(count, file.number_of_tests);
    assert_eq!(refused, 31);
}

/// RFC 7748 §5.2 (single multiplications and 1 and 1000 iterations) and the
/// §6.1 Diffie-Hellman example. The 10⁶-iteration value is checked by
/// `cargo xtask slow`.
#[test]
fn rfc7748() {
    let doc = json("rfc7748_x25519.json");
    for v in doc["scalar_mult"].as_array().unwrap() {
        let out = StaticSecret::from_bytes(&arr32(s(v, "scalar")))
            .agree(&PublicKey::from_bytes(&unhex(s(v, "u"))).unwrap())
            .unwrap();
        assert_eq!(hex::encode(out.expose_secret()), s(v, "output"));
    }
    let iterated = &doc["iterated"];
    let (mut k, mut u) = (arr32(s(iterated, "initial")), arr32(s(iterated, "initial")));
    let mut done = 0;
    for r in iterated["results"].as_array().unwrap() {
        let n = r["iterations"].as_u64().unwrap();
        if n > 1000 {
            continue;
        }
        while done < n {
            let next = *StaticSecret::from_bytes(&k)
                .agree(&PublicKey::from_bytes(&u).unwrap())
                .unwrap()
                .expose_secret();
            u = k;
            k = next;
            done += 1;
        }
        assert_eq!(hex::encode(k), s(r, "k"), "{n} iterations");
    }
    assert_eq!(done, 1000);
    let dh = &doc["diffie_hellman"];
    let alice = StaticSecret::from_bytes(&arr32(s(dh, "alice_private")));
    let bob = StaticSecret::from_bytes(&arr32(s(dh, "bob_private")));
    assert_eq!(
        hex::encode(alice.public_key().as_bytes()),
        s(dh, "alice_public")
    );
    assert_eq!(
        hex::encode(bob.public_key().as_bytes()),
        s(dh, "bob_public")
    );
    let ab = alice.agree(&bob.public_key()).unwrap();
    let ba = bob.agree(&alice.public_key()).unwrap();
    assert_eq!(hex::encode(ab.expose_secret()), s(dh, "shared_secret"));
    assert_eq!(ab.expose_secret(), ba.expose_secret());
}

/// Checks one HPKE vector entry through hx's sender (with the vector's
/// ephemeral randomness) and receiver.
fn check_hpke_entry(
    e: &Value,
    identity: hpke::PrivateKey,
    sender_key: Option<StaticSecret>,
) -> usize {
    let info = unhex(s(e, "info"));
    let psk_bytes = e
        .get("psk")
        .map(|_| (unhex(s(e, "psk")), unhex(s(e, "psk_id"))));
    let psk = psk_bytes.as_ref().map(|(key, id)| Psk { key, id });
    let (enc, mut sender) = hazmat::hpke_sender_with_randomness(
        &identity.public_key(),
        &info,
        psk,
        sender_key.as_ref(),
        &unhex(s(e, "ikmE")),
    )
    .unwrap();
    assert_eq!(hex::encode(&enc), s(e, "enc"));
    let sender_public = sender_key.as_ref().map(StaticSecret::public_key);
    let mut receiver =
        hpke::receiver_with_mode(&identity, &enc, &info, psk, sender_public.as_ref()).unwrap();
    let mut n = 0;
    for m in e["encryptions"].as_array().unwrap() {
        let (aad, pt, ct) = (unhex(s(m, "aad")), unhex(s(m, "pt")), unhex(s(m, "ct")));
        assert_eq!(
            hex::encode(sender.seal(&aad, &pt).unwrap()),
            s(m, "ct"),
            "message {n}"
        );
        assert_eq!(
            &receiver.open(&aad, &ct).unwrap()[..],
            &pt[..],
            "message {n}"
        );
        n += 1;
    }
    for x in e["exports"].as_array().unwrap() {
        let ctx = unhex(s(x, "exporter_context"));
        let len = x["L"].as_u64().unwrap() as usize;
        assert_eq!(
            hex::encode(&*sender.export(&ctx, len).unwrap()),
            s(x, "exported_value")
        );
        assert_eq!(
            hex::encode(&*receiver.export(&ctx, len).unwrap()),
            s(x, "exported_value")
        );
    }
    // Out of order or repeated: refused.
    if let Some(first) = e["encryptions"].as_array().unwrap().first() {
        assert!(
            receiver
                .open(&unhex(s(first, "aad")), &unhex(s(first, "ct")))
                .is_err()
        );
    }
    n
}

/// RFC 9180 A.2 (DHKEM(X25519), HKDF-SHA256, ChaCha20-Poly1305): base, psk,
/// auth and auth-psk modes; 257 messages and 3 exports each.
#[test]
fn rfc9180_x25519_chacha20poly1305() {
    let doc = json("rfc9180_x25519_sha256_chacha20poly1305.json");
    let mut modes = Vec::new();
    for e in doc.as_array().unwrap() {
        if e["aead_id"].as_u64() != Some(3) {
            continue; // the AES-128-GCM entries: hx offers ChaCha20-Poly1305 only
        }
        let identity = hpke::PrivateKey::X25519(StaticSecret::from_bytes(&arr32(s(e, "skRm"))));
        let sender = e
            .get("skSm")
            .map(|_| StaticSecret::from_bytes(&arr32(s(e, "skSm"))));
        assert_eq!(check_hpke_entry(e, identity, sender), 257);
        modes.push(e["mode"].as_u64().unwrap());
    }
    assert_eq!(modes, [0, 1, 2, 3]);
}

/// HPKE-PQ (draft-ietf-hpke-pq-04) with X-Wing, HKDF-SHA256 and
/// ChaCha20-Poly1305: the kdf_id 1 entry (the other uses SHAKE256 as a
/// one-stage KDF, which hx does not offer).
#[test]
fn hpke_pq_xwing() {
    let doc = json("hpke-pq_mlkem768-x25519.json");
    let mut checked = 0;
    for e in doc.as_array().unwrap() {
        if e["kdf_id"].as_u64() != Some(1) {
            continue;
        }
        let key = xwing::PrivateKey::from_seed(&arr32(s(e, "skRm"))).unwrap();
        assert_eq!(hex::encode(key.public_key().to_bytes()), s(e, "pkRm"));
        checked += check_hpke_entry(e, hpke::PrivateKey::XWing(key), None);
    }
    assert_eq!(checked, 10);
}

/// X-Wing KEM vectors: hx's key from the seed gives the published public key;
/// hx's X-Wing and the hpke crate's both decapsulate the published
/// ciphertext to the published secret (and a flipped bit gives another
/// secret).
#[test]
fn xwing_kem_vectors() {
    type Kem = hpke_crate::kem::XWing;
    let draft = json("draft-connolly-cfrg-xwing-kem_test-vectors.json");
    let concrete = json("concrete-hybrid-kems_mlkem768_x25519.json");
    let mut cases: Vec<(String, String, String, String)> = draft
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                s(v, "seed").into(),
                s(v, "pk").into(),
                s(v, "ct").into(),
                s(v, "ss").into(),
            )
        })
        .collect();
    cases.extend(
        concrete["mlkem768_x25519"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    s(v, "seed").into(),
                    s(v, "encapsulation_key").into(),
                    s(v, "ciphertext").into(),
                    s(v, "shared_secret").into(),
                )
            }),
    );
    assert_eq!(cases.len(), 13);
    for (seed, pk, ct, ss) in &cases {
        let key = xwing::PrivateKey::from_seed(&arr32(seed)).unwrap();
        assert_eq!(&hex::encode(key.public_key().to_bytes()), pk);
        // hx's own X-Wing (AWS-LC's ML-KEM-768, the key expanded once).
        assert_eq!(
            &hex::encode(*hazmat::xwing_decapsulate(&key, &unhex(ct)).unwrap()),
            ss
        );
        let sk = <Kem as hpke_crate::Kem>::PrivateKey::from_bytes(&unhex(seed)).unwrap();
        let mut ct_bytes = unhex(ct);
        let enc = <Kem as hpke_crate::Kem>::EncappedKey::from_bytes(&ct_bytes).unwrap();
        let got = Kem::decap(&sk, None, &enc).unwrap();
        assert_eq!(&hex::encode(got.0.as_slice()), ss);
        ct_bytes[5] ^= 1;
        let enc = <Kem as hpke_crate::Kem>::EncappedKey::from_bytes(&ct_bytes).unwrap();
        assert_ne!(
            &hex::encode(Kem::decap(&sk, None, &enc).unwrap().0.as_slice()),
            ss
        );
        let _ = key.public_key().to_bytes().len();
        let _ = enc.to_bytes();
    }
}

/// Wycheproof RSA-OAEP-SHA256 (MGF1-SHA256), 2048 bits: 37 cases, with labels.
#[test]
fn wycheproof_rsa_oaep() {
    let file: wycheproof::File<Value> = wycheproof::load(
        env!("CARGO_MANIFEST_DIR"),
        "rsa_oaep_2048_sha256_mgf1sha256_test.json",
    );
    let mut count = 0;
    for group in &file.test_groups {
        let key =
            rsa_oaep::DecryptionKey::from_pkcs8_der(&unhex(s(group, "privateKeyPkcs8"))).unwrap();
        for t in group["tests"].as_array().unwrap() {
            count += 1;
            let (id, label) = (&t["tcId"], unhex(s(t, "label")));
            let result = key.decrypt(&unhex(s(t, "ct")), Some(&label));
            match s(t, "result") {
                "valid" => {
                    assert_eq!(hex::encode(&*result.unwrap()), s(t, "msg"), "tcId {id}");
                    // And what hx encrypts, hx decrypts.
                    let msg = unhex(s(t, "msg"));
                    let ct = key.encryption_key().encrypt(&msg, Some(&label)).unwrap();
                    assert_eq!(&key.decrypt(&ct, Some(&label)).unwrap()[..], &msg[..]);
                }
                _ => assert!(matches!(result, Err(Error::InvalidCiphertext)), "tcId {id}"),
            }
        }
    }
    assert_eq!(count, 37);
    assert_eq!(count, file.number_of_tests);
}

/// The age specification's example keys (in hx-keys' test data): each
/// identity's key derives the recipient printed beside it, X25519 and the
/// post-quantum X-Wing one (`age1pq1…`, 1,216 bytes).
#[test]
fn age_specification_key_pairs() {
    let text = hx_test_support::data(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../hx-keys"),
        "age-keys.txt",
    );
    let key = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{name}"))
            .to_owned()
    };
    let identity = key("spec-x25519-identity").parse().unwrap();
    let secret = StaticSecret::from_age(&identity).unwrap();
    assert_eq!(
        secret.public_key().to_age().to_string(),
        key("spec-x25519-recipient")
    );
    assert!(xwing::PrivateKey::from_age(&identity).is_err());

    let identity = key("spec-pq-identity").parse().unwrap();
    let private = xwing::PrivateKey::from_age(&identity).unwrap();
    let recipient = private.public_key().to_age().unwrap();
    assert_eq!(recipient.to_string(), key("spec-pq-recipient"));
    assert!(StaticSecret::from_age(&identity).is_err());
    let public = xwing::PublicKey::from_age(&key("spec-pq-recipient").parse().unwrap()).unwrap();
    assert_eq!(public.to_bytes(), private.public_key().to_bytes());
    assert_eq!(*private.to_age().to_encoded(), key("spec-pq-identity"));
}
