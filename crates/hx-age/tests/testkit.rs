//! The C2SP age test kit (`tests/data/testkit/`, 143 files): every file
//! gives exactly the outcome it expects, through both the pipelined copy
//! and the `Read` adapter, and every header that parses re-encodes to the
//! same bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::Read;
use std::path::Path;

use hx_age::{Decryptor, Error, Header, Identity, scrypt};
use sha2::{Digest as _, Sha256};

struct Vector {
    name: String,
    expect: String,
    payload: Option<String>,
    identities: Vec<String>,
    passphrases: Vec<String>,
    armored: bool,
    body: Vec<u8>,
}

fn load(path: &Path) -> Vector {
    let raw = std::fs::read(path).unwrap();
    let split = raw.windows(2).position(|w| w == b"\n\n").unwrap();
    let (head, body) = (&raw[..split], &raw[split + 2..]);
    let mut v = Vector {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        expect: String::new(),
        payload: None,
        identities: Vec::new(),
        passphrases: Vec::new(),
        armored: false,
        body: body.to_vec(),
    };
    let mut compressed = false;
    for line in String::from_utf8(head.to_vec()).unwrap().lines() {
        let (key, value) = line.split_once(": ").unwrap();
        match key {
            "expect" => v.expect = value.to_owned(),
            "payload" => v.payload = Some(value.to_owned()),
            "identity" => v.identities.push(value.to_owned()),
            "passphrase" => v.passphrases.push(value.to_owned()),
            "armored" => v.armored = value == "yes",
            "compressed" => compressed = value == "zlib",
            "file key" | "comment" => {}
            other => panic!("{}: unknown field {other}", v.name),
        }
    }
    if compressed {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(body)
            .read_to_end(&mut out)
            .unwrap();
        v.body = out;
    }
    v
}

fn identities(v: &Vector) -> Vec<Box<dyn Identity>> {
    let mut out: Vec<Box<dyn Identity>> = Vec::new();
    for text in &v.identities {
        for identity in hx_age::read_identities(text.as_bytes()).unwrap() {
            out.push(identity);
        }
    }
    for p in &v.passphrases {
        out.push(Box::new(scrypt::Identity::new(scrypt::Passphrase::new(
            p.as_bytes().to_vec(),
        ))));
    }
    out
}

fn outcome(result: Result<Vec<u8>, Error>, v: &Vector) -> String {
    match result {
        Ok(plaintext) => {
            let digest = hex::encode(Sha256::digest(&plaintext));
            assert_eq!(Some(&digest), v.payload.as_ref(), "{}: payload", v.name);
            "success".into()
        }
        Err(Error::NoMatch) => "no match".into(),
        Err(Error::HeaderMac) => "HMAC failure".into(),
        Err(Error::Payload) => "payload failure".into(),
        Err(Error::Armor(_)) => "armor failure".into(),
        Err(Error::InvalidHeader(_) | Error::UnsupportedVersion | Error::WorkFactor { .. }) => {
            "header failure".into()
        }
        Err(e) => format!("unexpected error: {e:?}"),
    }
}

#[test]
fn every_test_kit_file_gives_its_outcome() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/testkit");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "LICENSE")
        .collect();
    names.sort();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut reencoded = 0;
    let mut failures = Vec::new();
    for path in &names {
        let v = load(path);
        let ids = identities(&v);
        let refs: Vec<&dyn Identity> = ids.iter().map(AsRef::as_ref).collect();

        // The kit says which files are armored (some start with garbage).
        let piped = Decryptor::new_armored(&v.body[..], v.armored).and_then(|d| {
            let mut out = Vec::new();
            d.decrypt_to(&refs, &mut out).map(|_| out)
        });
        // Recognising the armor gives the same outcome where it can.
        let detected = hx_age::armor::is_armored(&v.body) == v.armored;
        let streamed = Decryptor::new_armored(&v.body[..], v.armored).and_then(|d| {
            let mut out = Vec::new();
            d.decrypt(&refs)?.read_to_end(&mut out)?;
            Ok(out)
        });
        let (a, b) = (outcome(piped, &v), outcome(streamed, &v));
        if detected {
            let auto = Decryptor::new(&v.body[..]).and_then(|d| {
                let mut out = Vec::new();
                d.decrypt_to(&refs, &mut out).map(|_| out)
            });
            let c = outcome(auto, &v);
            if c != v.expect {
                failures.push(format!(
                    "{} (armor recognised): expected {}, got {c}",
                    v.name, v.expect
                ));
            }
        }
        if a != v.expect || b != v.expect {
            failures.push(format!("{}: expected {}, got {a} / {b}", v.name, v.expect));
        }
        *counts.entry(v.expect.clone()).or_default() += 1;

        // The header of every file that is not a header or armor failure
        // re-encodes to the bytes it was read from.
        if v.expect != "header failure" && v.expect != "armor failure" {
            let mut binary = Vec::new();
            if v.armored {
                hx_age::armor::ArmoredReader::new(&v.body[..])
                    .read_to_end(&mut binary)
                    .unwrap();
            } else {
                binary.clone_from(&v.body);
            }
            let mut input = &binary[..];
            let header = Header::read(&mut input).unwrap();
            let len = binary.len() - input.len();
            assert_eq!(
                header.to_bytes(),
                binary[..len],
                "{}: header re-encoding",
                v.name
            );
            reencoded += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(names.len(), 143);
    assert_eq!(counts["success"], 26);
    assert_eq!(
        reencoded,
        143 - counts["header failure"] - counts["armor failure"]
    );
}
