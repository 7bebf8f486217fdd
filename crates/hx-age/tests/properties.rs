//! Properties: what is encrypted decrypts, through every pair of paths
//! (Write adapter or pipeline, Read adapter or pipeline, binary or armor);
//! any change or cut of a file is refused, never decrypted to something
//! else; any bytes give an error, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    missing_docs
)]

use std::io::{Read, Write};

use hx_age::{Decryptor, Encryptor, Identity, x25519};
use proptest::prelude::*;

fn encrypt(identity: &x25519::Identity, data: &[u8], piped: bool, armor: bool) -> Vec<u8> {
    let encryptor = Encryptor::with_recipients(vec![Box::new(identity.to_recipient())]).unwrap();
    let mut out = Vec::new();
    match (piped, armor) {
        (true, false) => {
            encryptor.encrypt(data, &mut out).unwrap();
        }
        (true, true) => {
            encryptor.encrypt_armored(data, &mut out).unwrap();
        }
        (false, false) => {
            let mut w = encryptor.wrap_output(&mut out).unwrap();
            w.write_all(data).unwrap();
            w.finish().unwrap();
        }
        (false, true) => {
            let mut armored = hx_age::armor::ArmoredWriter::new(&mut out);
            let mut w = encryptor.wrap_output(&mut armored).unwrap();
            w.write_all(data).unwrap();
            w.finish().unwrap();
            armored.finish().unwrap();
        }
    }
    out
}

fn decrypt(
    identity: &x25519::Identity,
    file: &[u8],
    piped: bool,
) -> Result<Vec<u8>, hx_age::Error> {
    let ids: [&dyn Identity; 1] = [identity];
    let decryptor = Decryptor::new(file)?;
    let mut out = Vec::new();
    if piped {
        decryptor.decrypt_to(&ids, &mut out)?;
    } else {
        decryptor.decrypt(&ids)?.read_to_end(&mut out)?;
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn round_trips_through_every_path(
        len in prop_oneof![0usize..200, 65_530usize..65_545, 131_070usize..131_075, 0usize..300_000],
        piped_in in any::<bool>(),
        piped_out in any::<bool>(),
        armor in any::<bool>(),
    ) {
        let identity = x25519::Identity::generate().unwrap();
        let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        let file = encrypt(&identity, &data, piped_in, armor);
        prop_assert_eq!(decrypt(&identity, &file, piped_out).unwrap(), data);
    }

    #[test]
    fn changes_and_cuts_are_refused(len in 0usize..140_000, at in any::<prop::sample::Index>(), bit in 0u8..8, piped in any::<bool>()) {
        let identity = x25519::Identity::generate().unwrap();
        let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        let file = encrypt(&identity, &data, true, false);
        let i = at.index(file.len());
        let mut changed = file.clone();
        changed[i] ^= 1 << bit;
        prop_assert!(decrypt(&identity, &changed, piped).is_err(), "flip at {}", i);
        prop_assert!(decrypt(&identity, &file[..i], piped).is_err(), "cut at {}", i);
        let mut extended = file.clone();
        extended.push(0);
        prop_assert!(decrypt(&identity, &extended, piped).is_err());
    }

    #[test]
    fn any_bytes_are_an_error_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), prefix in any::<bool>()) {
        let identity = x25519::Identity::generate().unwrap();
        let mut input = if prefix { b"age-encryption.org/v1\n-> X25519 ".to_vec() } else { Vec::new() };
        input.extend_from_slice(&bytes);
        let _ = decrypt(&identity, &input, true);
        let _ = decrypt(&identity, &input, false);
        let mut armored = b"-----BEGIN AGE ENCRYPTED FILE-----\n".to_vec();
        armored.extend_from_slice(&bytes);
        let _ = decrypt(&identity, &armored, true);
    }
}
