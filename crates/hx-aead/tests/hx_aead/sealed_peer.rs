//! Peer test for the sealed-token format: an independent Python
//! implementation (HChaCha20 written out, ChaCha20-Poly1305 from
//! `cryptography`) opens hx's tokens and makes tokens hx opens.

use hx_aead::Keyring;
use hx_test_support::{python_command, python_json, run_checked};
use serde_json::{Value, json};

/// The primary key's id and bytes, read back from the keyring document.
pub fn primary_key(ring: &Keyring) -> (u32, Vec<u8>) {
    let doc = ring.to_document();
    let line = doc.lines().find(|l| l.contains(" primary ")).unwrap();
    let fields: Vec<&str> = line.split(' ').collect();
    let key = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, fields[5])
        .unwrap();
    (fields[1].parse().unwrap(), key)
}

#[test]
fn independent_python_implementation_agrees() {
    let ring = Keyring::generate().unwrap();
    let (id, key) = primary_key(&ring);
    let lengths = [0usize, 1, 15, 16, 17, 63, 64, 65, 1000, 70_000];
    let mut open = Vec::new();
    let mut expected = Vec::new();
    for (i, len) in lengths.iter().enumerate() {
        let data: Vec<u8> = (0..*len).map(|j| (j * 7 + i) as u8).collect();
        let ctx = format!("context-{i}");
        open.push(json!({"token": ring.seal(&data, ctx.as_bytes()).unwrap(), "context_hex": hex::encode(&ctx)}));
        expected.push(hex::encode(&data));
    }
    // A wrong context must fail in Python too.
    open.push(json!({"token": ring.seal(b"x", b"a").unwrap(), "context_hex": hex::encode("b")}));
    let seal: Vec<Value> = lengths
        .iter()
        .enumerate()
        .map(|(i, len)| {
            let nonce: Vec<u8> = (0..24).map(|j| (i * 24 + j) as u8).collect();
            json!({
                "plain_hex": hex::encode(vec![0xa5u8; *len]),
                "context_hex": hex::encode(format!("py-{i}")),
                "issued_at": 1_700_000_000 + i as u64,
                "nonce_hex": hex::encode(nonce),
            })
        })
        .collect();
    let request = json!({"key_hex": hex::encode(&key), "key_id": id, "open": open, "seal": seal});

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/sealed_peer.py");
    let answer = python_json(script, &[], &request);

    for (i, want) in expected.iter().enumerate() {
        assert_eq!(
            answer["opened"][i],
            json!(want),
            "Python opening hx token {i}"
        );
    }
    assert_eq!(
        answer["opened"][lengths.len()],
        Value::Null,
        "wrong context refused by Python"
    );
    for (i, len) in lengths.iter().enumerate() {
        let token = answer["sealed"][i].as_str().unwrap();
        let ctx = format!("py-{i}");
        let plain = ring
            .open_at(token, ctx.as_bytes(), None, 1_700_000_000)
            .unwrap();
        assert_eq!(
            &*plain,
            &vec![0xa5u8; *len][..],
            "hx opening Python token {i}"
        );
        assert_eq!(
            ring.extract_timestamp(token, ctx.as_bytes()).unwrap(),
            1_700_000_000 + i as u64
        );
        // The same token as bytes, borrowed and in place.
        let mut raw = base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            token.strip_prefix(hx_aead::TOKEN_PREFIX).unwrap(),
        )
        .unwrap();
        assert_eq!(
            &*ring.open_bytes(&raw, ctx.as_bytes(), None).unwrap(),
            &vec![0xa5u8; *len][..]
        );
        assert_eq!(
            ring.open_bytes_in_place(&mut raw, ctx.as_bytes(), None)
                .unwrap(),
            &vec![0xa5u8; *len][..],
            "hx opening Python token {i} in place"
        );
    }
}

/// The independent Python stream implementation opens multi-chunk streams
/// hx makes, and refuses a truncated one.
#[test]
fn independent_python_stream_implementation_agrees() {
    let ring = Keyring::generate().unwrap();
    let (_, key) = primary_key(&ring);
    let dir = tempfile::tempdir().unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/stream_vector.py"
    );
    // Up to 70 chunks: more than the four batches of 16 the pipeline keeps
    // in flight.
    for len in [0usize, 1, 65_536, 65_537, 20 * 65_536 + 3, 70 * 65_536 + 5] {
        let data: Vec<u8> = (0..len).map(|i| (i * 13 % 256) as u8).collect();
        let mut sealed = Vec::new();
        hx_aead::stream::encrypt(&ring, &data[..], &mut sealed).unwrap();
        let path = dir.path().join(format!("{len}.hxs"));
        for (file, truncated) in [
            (sealed.clone(), false),
            (sealed[..sealed.len() - 1].to_vec(), true),
        ] {
            std::fs::write(&path, &file).unwrap();
            let out = run_checked(
                python_command()
                    .args([script, "open", &hex::encode(&key)])
                    .arg(&path),
                b"",
            );
            let answer = String::from_utf8(out).unwrap();
            if truncated {
                assert_eq!(
                    answer.trim(),
                    "INVALID",
                    "len {len}: truncated stream accepted by Python"
                );
            } else {
                assert_eq!(answer.trim(), hex::encode(&data), "len {len}");
            }
        }
    }
}
