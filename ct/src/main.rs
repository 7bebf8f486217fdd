//! The constant-time check (`cargo xtask ct`), after libsecp256k1's
//! `ctime_tests`: run under valgrind memcheck, each secret-dependent
//! operation gets its secret bytes marked *undefined*, so that memcheck
//! reports every branch and every memory address that depends on them. A
//! check passes with 0 reports. Verdicts that are public by design — whether
//! two MACs were equal — are marked defined again at the one place they are
//! produced (`hx_digest::ct_eq`, through its `ct-check` hook).
//!
//! A control compares secrets with `==` (an early-exit `memcmp`); it must be
//! reported, or the run proves nothing (not under valgrind, or the marking
//! does not work). Exit status 0 only if every check held and the control
//! was caught.

use std::hint::black_box;

use crabgrind::memcheck::{MemState, mark_mem};

/// Marks `bytes` as secret: memcheck reports any branch or address
/// computation that depends on them.
fn secret(bytes: &mut [u8]) {
    let _ = mark_mem(bytes.as_mut_ptr().cast(), bytes.len(), MemState::Undefined);
}

/// Marks `bytes` as public again.
fn public(bytes: &mut [u8]) {
    let _ = mark_mem(bytes.as_mut_ptr().cast(), bytes.len(), MemState::Defined);
}

fn declassify_hook(ptr: *mut u8, len: usize) {
    let _ = mark_mem(ptr.cast(), len, MemState::Defined);
}

struct Outcome {
    name: String,
    errors: usize,
    control: bool,
}

fn check(outcomes: &mut Vec<Outcome>, name: &str, control: bool, f: impl FnOnce()) {
    let before = crabgrind::count_errors();
    f();
    let errors = crabgrind::count_errors() - before;
    outcomes.push(Outcome {
        name: name.to_owned(),
        errors,
        control,
    });
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            seed.wrapping_mul(31)
                .wrapping_add(u8::try_from(i % 251).unwrap_or(0))
        })
        .collect()
}

fn main() -> std::process::ExitCode {
    if crabgrind::run_mode() == crabgrind::RunMode::Native {
        eprintln!("hx-ct-check: run under valgrind (cargo xtask ct)");
        return std::process::ExitCode::from(2);
    }
    hx_digest::ct_check::set_declassify_hook(declassify_hook);
    let mut outcomes = Vec::new();

    check(
        &mut outcomes,
        "ct_eq, 0 to 64 bytes, equal and unequal",
        false,
        || {
            let mut equal = 0;
            for len in 0..=64 {
                for differ in [false, true] {
                    let mut a = pattern(len, 7);
                    let mut b = a.clone();
                    if differ && len > 0 {
                        b[len / 2] ^= 0x10;
                    }
                    secret(&mut a);
                    secret(&mut b);
                    if hx_digest::ct_eq(&a, &b) {
                        equal += 1;
                    }
                }
            }
            assert_eq!(black_box(equal), 66);
        },
    );

    check(
        &mut outcomes,
        "control: `==` on secrets (must be reported)",
        true,
        || {
            let mut a = pattern(32, 7);
            let mut b = pattern(32, 7);
            b[31] ^= 1;
            secret(&mut a);
            secret(&mut b);
            // The comparison exits at the first difference, and the caller
            // branches on its result.
            if black_box(&a) == black_box(&b) {
                println!("unexpected: equal");
            }
        },
    );

    check(
        &mut outcomes,
        "HMAC-SHA256 verify (secret key)",
        false,
        || {
            let data = b"message to authenticate";
            let mut key = pattern(32, 3);
            let tag = hx_digest::HmacKey::new(hx_digest::HmacAlgorithm::Sha256, &key)
                .map(|k| k.sign(data).as_bytes().to_vec())
                .unwrap_or_default();
            let mut wrong = tag.clone();
            wrong[0] ^= 1;
            secret(&mut key);
            if let Ok(k) = hx_digest::HmacKey::new(hx_digest::HmacAlgorithm::Sha256, &key) {
                assert!(k.verify(data, &tag).is_ok());
                assert!(k.verify(data, &wrong).is_err());
            }
        },
    );

    check(
        &mut outcomes,
        "API key verify (secret pepper)",
        false,
        || {
            let mut pepper_bytes = pattern(32, 5);
            let (Ok(pepper), Ok(key)) = (
                hx_random::Pepper::from_bytes(&pepper_bytes),
                hx_random::ApiKey::generate("hx"),
            ) else {
                return;
            };
            let stored = key.hash(&pepper);
            let other = hx_random::ApiKey::generate("hx").ok();
            secret(&mut pepper_bytes);
            if let Ok(pepper) = hx_random::Pepper::from_bytes(&pepper_bytes) {
                assert!(key.verify(&pepper, &stored).is_ok());
                if let Some(other) = other {
                    assert!(other.verify(&pepper, &stored).is_err());
                }
            }
        },
    );

    check(
        &mut outcomes,
        "Fernet MAC check (secret key, altered token)",
        false,
        || {
            let mut key_bytes: [u8; 32] = pattern(32, 9).try_into().unwrap_or([0; 32]);
            let token = hx_aead::Fernet::new(&hx_aead::FernetKey::from_bytes(&key_bytes))
                .and_then(|f| f.encrypt_at_time(b"fernet plaintext", 1_700_000_000))
                .unwrap_or_default();
            // Flip a bit of the MAC (the token's last characters).
            let mut altered = token.into_bytes();
            let at = altered.len() - 3;
            altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(altered).unwrap_or_default();
            secret(&mut key_bytes);
            if let Ok(f) = hx_aead::Fernet::new(&hx_aead::FernetKey::from_bytes(&key_bytes)) {
                assert!(f.decrypt_at_time(&altered, None, 1_700_000_000).is_err());
            }
        },
    );

    check(
        &mut outcomes,
        "sealed token open: XChaCha20-Poly1305 (secret key)",
        false,
        || {
            use hx_aead::hazmat::{ChaChaVariant, chacha_open, chacha_seal};
            let mut key = pattern(32, 11);
            let nonce = pattern(24, 13);
            let aad = b"header and context";
            let sealed = chacha_seal(
                ChaChaVariant::XChaCha20Poly1305,
                &key,
                &nonce,
                aad,
                b"plain",
            )
            .unwrap_or_default();
            let mut forged = sealed.clone();
            let last = forged.len() - 1;
            forged[last] ^= 1;
            secret(&mut key);
            let ok = chacha_open(ChaChaVariant::XChaCha20Poly1305, &key, &nonce, aad, &sealed);
            let bad = chacha_open(ChaChaVariant::XChaCha20Poly1305, &key, &nonce, aad, &forged);
            assert!(black_box(ok.is_ok()) && black_box(bad.is_err()));
        },
    );

    check(&mut outcomes, "Ed25519 sign (secret seed)", false, || {
        let mut seed: [u8; 32] = pattern(32, 17).try_into().expect("32 bytes");
        secret(&mut seed);
        let key = hx_sign::ed25519::SigningKey::from_bytes(&seed);
        let mut signature = key.sign(b"message").to_bytes();
        // A signature is public.
        public(&mut signature);
        black_box(signature);
    });

    check(
        &mut outcomes,
        "X25519 agreement (secret key)",
        false,
        || {
            let mut private: [u8; 32] = pattern(32, 19).try_into().expect("32 bytes");
            let peer = hx_kex::x25519::StaticSecret::from_bytes(
                &pattern(32, 23).try_into().expect("32 bytes"),
            )
            .public_key();
            secret(&mut private);
            let key = hx_kex::x25519::StaticSecret::from_bytes(&private);
            let shared = key.agree(&peer);
            assert!(black_box(shared.is_ok()));
        },
    );

    println!("\nhx constant-time check (valgrind memcheck, secrets marked undefined)");
    let mut failed = 0;
    for o in &outcomes {
        let ok = if o.control {
            o.errors > 0
        } else {
            o.errors == 0
        };
        if !ok {
            failed += 1;
        }
        println!(
            "  {:<6} {:<58} {} report(s){}",
            if ok { "ok" } else { "FAILED" },
            o.name,
            o.errors,
            if o.control {
                " (control: must be > 0)"
            } else {
                ""
            }
        );
    }
    if failed == 0 {
        println!("hx-ct-check: all {} checks held", outcomes.len());
        std::process::ExitCode::SUCCESS
    } else {
        println!("hx-ct-check: {failed} of {} checks FAILED", outcomes.len());
        std::process::ExitCode::FAILURE
    }
}
