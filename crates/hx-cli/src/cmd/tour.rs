//! `hx tour`: the security-hardening lab's steps, run with real values. Each
//! step checks itself; the tour exits 0 only if every check held.
//!
//! Steps so far: 1. randomness and password storage, 2. constant-time
//! comparison, 3. hashing,
//! 4. authenticated encryption and key rotation, 5. signatures (RSA-PSS and
//! Ed25519), 6. key exchange and public-key encryption (X25519, HPKE with
//! X25519 and X-Wing, RSA-OAEP, age files to X25519 and post-quantum
//! recipients), 7. safe deserialization (bounded decoding,
//! authenticated envelopes with an allow-list, pickles), 8. the encrypted
//! configuration manager (sealed values, tamper detection, recipients and
//! rotation, the merge driver, typed loading).

use std::io::Write as _;

use hx::digest::{
    self as d, Algorithm, Blake2Params, Blake2b, HkdfAlgorithm, HmacAlgorithm, HmacKey, ct_eq,
};
use hx::random::{self as r, ApiKey, CsrfKey, Passphrase, PasswordPolicy, Pepper};

use crate::failure::{CmdResult, Failure};

struct Tour {
    passed: usize,
    failed: Vec<String>,
    /// Standard output was closed (`hx tour | head`): the checks go on,
    /// silently, and the command ends as a closed pipe ends every command.
    closed: std::cell::Cell<Option<Failure>>,
}

impl Tour {
    /// Writes one line to standard output (nothing once it failed).
    fn say(&self, line: std::fmt::Arguments<'_>) {
        let failed = self.closed.take();
        let failed = failed.or_else(|| {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{line}")
                .and_then(|()| out.flush())
                .err()
                .map(|e| crate::io::stdout_failure(&e))
        });
        self.closed.set(failed);
    }

    fn section(&self, n: usize, title: &str) {
        self.say(format_args!("\n{n}. {title}"));
    }

    fn show(&self, label: &str, value: impl std::fmt::Display) {
        self.say(format_args!("     {label:<32} {value}"));
    }

    /// Records a self-check.
    fn check(&mut self, what: &str, ok: bool) {
        if ok {
            self.passed += 1;
            self.say(format_args!("  ok {what}"));
        } else {
            self.failed.push(what.to_owned());
            self.say(format_args!("  FAILED {what}"));
        }
    }

    /// Records a self-check whose evaluation itself may fail.
    fn check_result<E: std::fmt::Display>(&mut self, what: &str, result: Result<bool, E>) {
        match result {
            Ok(ok) => self.check(what, ok),
            Err(e) => {
                self.say(format_args!("     error: {e}"));
                self.check(what, false);
            }
        }
    }
}

pub fn run() -> CmdResult {
    let mut tour = Tour {
        passed: 0,
        failed: Vec::new(),
        closed: std::cell::Cell::new(None),
    };
    tour.say(format_args!(
        "hx tour: the security-hardening lab, step by step, with real values."
    ));
    randomness(&mut tour);
    constant_time(&mut tour);
    hashing(&mut tour);
    encryption(&mut tour);
    signatures(&mut tour);
    key_exchange(&mut tour);
    safe_deserialization(&mut tour);
    encrypted_config(&mut tour);
    if tour.failed.is_empty() {
        tour.say(format_args!("\nAll {} checks passed.", tour.passed));
        match tour.closed.take() {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    } else {
        Err(Failure::Rejected(format!(
            "{} of {} checks failed: {}",
            tour.failed.len(),
            tour.passed + tour.failed.len(),
            tour.failed.join("; ")
        )))
    }
}

fn randomness(t: &mut Tour) {
    t.section(
        1,
        "Randomness from the operating system (hx-random), password storage (hx-password)",
    );
    match (r::token_urlsafe(32), r::token_hex(16), r::token_urlsafe(32)) {
        (Ok(a), Ok(h), Ok(b)) => {
            t.show("token_urlsafe(32)", &*a);
            t.show("token_hex(16)", &*h);
            t.check(
                "url-safe token is 43 chars of A-Z a-z 0-9 - _",
                a.len() == 43
                    && a.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'),
            );
            t.check(
                "hex token is 32 lowercase hex digits",
                h.len() == 32
                    && h.bytes()
                        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            );
            t.check("two tokens never repeat", *a != *b);
        }
        _ => t.check("the OS generator answers", false),
    }
    t.check("a 0-byte token is refused", r::token_bytes(0).is_err());

    let api = (|| -> Result<bool, r::Error> {
        let key = ApiKey::generate("hxtour")?;
        let pepper = Pepper::generate()?;
        let stored = key.hash(&pepper);
        t.show("API key (shown once)", key.expose_secret());
        t.show("stored instead", &stored);
        let mut typo = key.expose_secret().to_owned();
        let last = typo.pop().map_or('0', |c| if c == 'a' { 'b' } else { 'a' });
        typo.push(last);
        let other = ApiKey::generate("hxtour")?;
        Ok(ApiKey::parse(key.expose_secret())?
            .verify(&pepper, &stored)
            .is_ok()
            && ApiKey::parse(&typo).is_err()
            && other.verify(&pepper, &stored).is_err())
    })();
    t.check_result(
        "API key: checksum catches a typo, only the right key matches its hash",
        api,
    );

    let pw = (|| -> Result<bool, r::Error> {
        let policy = PasswordPolicy::new(20).exclude_ambiguous(true);
        let p = policy.generate()?;
        t.show("password (20, no look-alikes)", p.expose_secret());
        t.show("its entropy", format!("{:.1} bits", p.entropy_bits()));
        let weak = PasswordPolicy::new(8).generate();
        if let Err(e) = &weak {
            t.show("8-character policy", e);
        }
        Ok(p.expose_secret().len() == 20 && p.entropy_bits() > 120.0 && weak.is_err())
    })();
    t.check_result("password policy: exact entropy, weak policies refused", pw);

    let phrase = Passphrase::generate(6, "-").map(|p| {
        t.show("passphrase (EFF list)", p.expose_secret());
        t.show("its entropy", format!("{:.1} bits", p.entropy_bits()));
        p.expose_secret().split('-').count() == 6
    });
    t.check_result("passphrase: 6 words, 77.5 bits", phrase);

    let csrf = (|| -> Result<bool, r::Error> {
        let key = CsrfKey::generate()?;
        let token = key.issue("session-1")?;
        t.show("CSRF token", &*token);
        Ok(key.verify("session-1", &token).is_ok() && key.verify("session-2", &token).is_err())
    })();
    t.check_result("CSRF token: valid for its session only", csrf);
    password_storage(t);
}

/// Passwords kept as hashes: Argon2id under the default policy, a wrong
/// password refused, a legacy Django hash upgraded at login, a hostile
/// stored hash refused before any work.
fn password_storage(t: &mut Tour) {
    use hx::password::{Error as PwError, Policy, StoredHash};
    let policy = Policy::default();
    let stored = (|| -> Result<bool, PwError> {
        let stored = policy.hash(b"tour: a user's password")?;
        t.show("stored password hash", &stored);
        let verified = policy.verify(b"tour: a user's password", &stored).is_ok();
        let wrong = matches!(
            policy.verify(b"tour: a user's passworD", &stored),
            Err(PwError::Mismatch)
        );
        Ok(stored.starts_with("$argon2id$v=19$m=65536,t=3,p=4$") && verified && wrong)
    })();
    t.check_result(
        "password hash: Argon2id (64 MiB, t = 3, p = 4), the password verifies, a wrong one does not",
        stored,
    );
    let upgrade = (|| -> Result<bool, PwError> {
        // Django's PBKDF2 hash of "hunter2" with 1,000 rounds
        let legacy = "pbkdf2_sha256$1000$saltsaltsalt$sWL6nKqk2l/lras1LBJAL5VKXy/eS0lorHQFrTK1Tlw=";
        t.show("legacy (Django) hash", legacy);
        let Some(new) = policy.verify_and_upgrade(b"hunter2", legacy)? else {
            return Ok(false);
        };
        t.show("upgraded at login to", &new);
        let parsed: StoredHash = new.parse()?;
        Ok(policy.verify(b"hunter2", &new).is_ok() && !policy.needs_rehash(&parsed))
    })();
    t.check_result(
        "a legacy Django hash verifies and is upgraded to Argon2id",
        upgrade,
    );
    let hostile =
        "$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHQ$Zh/vvW8pvLyPRkarwyqdekZFu1wFlTf4pVh/Ma2+zM0";
    let start = std::time::Instant::now();
    let refused = policy.verify(b"x", hostile);
    if let Err(e) = &refused {
        t.show("a stored hash asking for 4 GiB", e);
    }
    t.check(
        "a hostile stored hash is refused before any work",
        matches!(refused, Err(PwError::BeyondLimits { .. }))
            && start.elapsed() < std::time::Duration::from_millis(100),
    );
}

fn constant_time(t: &mut Tour) {
    t.section(2, "Constant-time comparison (hx-digest)");
    let secret = b"8c5b1e0f2a7d4c3b9e6f1a2d3c4b5a69";
    let mut early = *secret;
    early[0] ^= 1;
    let mut late = *secret;
    late[31] ^= 1;
    t.check("ct_eq: equal inputs compare equal", ct_eq(secret, secret));
    t.check(
        "ct_eq: a difference in the first or last byte is found alike",
        !ct_eq(secret, &early) && !ct_eq(secret, &late),
    );
    t.check(
        "ct_eq: different lengths are unequal",
        !ct_eq(secret, &secret[..31]),
    );
    let (early_ns, late_ns) = (time_ct_eq(secret, &early), time_ct_eq(secret, &late));
    t.show(
        "ct_eq time, first vs last byte",
        format!("{early_ns:.1} ns vs {late_ns:.1} ns (no early exit)"),
    );

    let mac = HmacKey::new(HmacAlgorithm::Sha256, secret).map(|key| {
        let tag = key.sign(b"amount=100&to=alice");
        t.show("HMAC-SHA256 tag", tag.to_hex());
        let mut forged = tag.as_bytes().to_vec();
        if let Some(b) = forged.last_mut() {
            *b ^= 1;
        }
        let rejected = key.verify(b"amount=100&to=alice", &forged);
        if let Err(e) = &rejected {
            t.show("forged tag", format!("rejected: {e}"));
        }
        key.verify(b"amount=100&to=alice", tag.as_bytes()).is_ok()
            && rejected.is_err()
            && key.verify(b"amount=900&to=alice", tag.as_bytes()).is_err()
    });
    t.check_result("HMAC verify: constant time, one opaque error", mac);
}

/// Median time of one `ct_eq` over 31 batches (information only: the tour does
/// not gate on timings, which are noisy on shared machines).
fn time_ct_eq(a: &[u8], b: &[u8]) -> f64 {
    let mut samples: Vec<f64> = (0..31)
        .map(|_| {
            let start = std::time::Instant::now();
            for _ in 0..2000 {
                std::hint::black_box(ct_eq(std::hint::black_box(a), std::hint::black_box(b)));
            }
            start.elapsed().as_secs_f64() * 1e9 / 2000.0
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples.get(15).copied().unwrap_or(0.0)
}

fn hashing(t: &mut Tour) {
    t.section(3, "Hashing, MACs and key derivation (hx-digest)");
    let abc = d::hash(Algorithm::Sha256, b"abc");
    t.show("sha256(\"abc\")", &abc);
    t.check(
        "SHA-256 matches FIPS 180-4",
        abc.to_hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    let sha3 = d::hash(Algorithm::Sha3_256, b"abc");
    t.show("sha3-256(\"abc\")", &sha3);
    t.check(
        "SHA3-256 matches FIPS 202",
        sha3.to_hex() == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
    );
    let b3 = d::hash(Algorithm::Blake3, b"");
    t.show("blake3(\"\")", &b3);
    t.check(
        "BLAKE3 matches its reference vector",
        b3.to_hex() == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
    );
    let keyed =
        Blake2b::new(&Blake2Params::new(32).key(b"key").persona(b"hx-tour")).map(|mut h| {
            h.update(b"message");
            let tag = h.finalize();
            t.show("blake2b-256(key, persona)", &tag);
            tag.len() == 32
        });
    t.check_result("BLAKE2b keyed, personalised, 32-byte output", keyed);

    let file = (|| -> Result<bool, Box<dyn std::error::Error>> {
        let mut tmp = tempfile::NamedTempFile::new()?;
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        tmp.write_all(&data)?;
        tmp.flush()?;
        let streamed = d::hash_file(Algorithm::Sha256, tmp.path())?;
        t.show("sha256 of a 3 MB file", &streamed);
        Ok(streamed == d::hash(Algorithm::Sha256, &data))
    })();
    t.check_result(
        "streaming a file in 1 MiB buffers equals one-shot hashing",
        file,
    );

    // RFC 4231 test case 2 and RFC 5869 A.1.
    let rfc4231 = HmacKey::new(HmacAlgorithm::Sha256, b"Jefe").map(|k| {
        k.sign(b"what do ya want for nothing?").to_hex()
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    });
    t.check_result("HMAC-SHA256 matches RFC 4231 case 2", rfc4231);
    let salt: Vec<u8> = (0x00..=0x0c).collect();
    let info: Vec<u8> = (0xf0..=0xf9).collect();
    let okm = d::hkdf(HkdfAlgorithm::Sha256, Some(&salt), &[0x0b; 22], &info, 42).map(|okm| {
        hex::encode(&*okm)
            == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    });
    t.check_result("HKDF-SHA256 matches RFC 5869 A.1", okm);
}

fn encryption(t: &mut Tour) {
    use hx::aead::{Fernet, FernetKey, Keyring, MultiFernet};

    t.section(4, "Authenticated encryption and key rotation (hx-aead)");
    let sealed = (|| -> Result<bool, hx::aead::Error> {
        let mut ring = Keyring::generate()?;
        let token = ring.seal(b"user=42;role=admin", b"session-cookie")?;
        t.show("sealed token", &token);
        let opened = ring.open(&token, b"session-cookie", Some(3600))?;
        let mut tampered = token.clone();
        let last = tampered
            .pop()
            .map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
        tampered.push(last);
        let rejected = ring.open(&tampered, b"session-cookie", None);
        if let Err(e) = &rejected {
            t.show("one character changed", format!("rejected: {e}"));
        }
        let wrong_context = ring.open(&token, b"csrf", None).is_err();

        let old_primary = ring.primary_id();
        let new_primary = ring.add()?;
        ring.promote(new_primary)?;
        let rotated = ring.rotate(&token, b"session-cookie")?;
        t.show("rotated to key", new_primary);
        let same_time = ring.extract_timestamp(&rotated, b"session-cookie")?
            == ring.extract_timestamp(&token, b"session-cookie")?;
        ring.retire(old_primary)?;
        let old_refused = ring.open(&token, b"session-cookie", None).is_err();
        let new_opens = ring.open(&rotated, b"session-cookie", None)? == opened;
        Ok(&opened[..] == b"user=42;role=admin"
            && rejected.is_err()
            && wrong_context
            && same_time
            && old_refused
            && new_opens)
    })();
    t.check_result(
        "sealed token: tamper and wrong context refused; rotation keeps the timestamp; retired key refused",
        sealed,
    );

    let fernet = (|| -> Result<bool, hx::aead::Error> {
        let old = FernetKey::generate()?;
        let token = Fernet::new(&old)?.encrypt(b"legacy secret")?;
        t.show("Fernet token", &token);
        let mut ring = Keyring::generate()?;
        ring.add_fernet_legacy(FernetKey::from_bytes(old.expose_secret()))?;
        let migrated = ring.rotate_fernet(&token, b"legacy-cookie")?;
        t.show("migrated to an hx token", &migrated);
        let multi = MultiFernet::new(&[FernetKey::generate()?, old])?;
        let rotated = multi.rotate(&token)?;
        Ok(&multi.decrypt(&rotated, Some(60))?[..] == b"legacy secret"
            && multi.extract_timestamp(&rotated)? == multi.extract_timestamp(&token)?
            && &ring.open(&migrated, b"legacy-cookie", Some(60))?[..] == b"legacy secret")
    })();
    t.check_result(
        "Fernet: MultiFernet rotation keeps plaintext and timestamp; a legacy key migrates tokens to hx",
        fernet,
    );
}

fn signatures(t: &mut Tour) {
    use hx::sign::{Algorithm, PrivateKey, PublicKey, ed25519};

    t.section(5, "Signatures: RSA-PSS and Ed25519 (hx-sign)");
    let message = b"release hx 0.1.0, sha256 of the tarball attached";
    for algorithm in [Algorithm::Rsa { bits: 2048 }, Algorithm::Ed25519] {
        let what = format!("{algorithm}: PEM keys, sign, verify, tampering rejected");
        let result = (|| -> Result<bool, hx::sign::Error> {
            let key = PrivateKey::generate(algorithm)?;
            // Through the files' formats, as another program would get them.
            let private_pem = key.to_pem()?;
            let public_pem = key.public_key().to_pem()?;
            let signer = PrivateKey::from_pem(private_pem.as_bytes())?;
            let verifier = PublicKey::from_pem(public_pem.as_bytes())?;
            let signature = signer.sign(message)?;
            t.show(
                &format!("{algorithm} signature"),
                format!("{} bytes", signature.len()),
            );
            let valid = verifier.verify(message, &signature).is_ok();
            let mut altered = message.to_vec();
            altered[0] ^= 1;
            let altered_rejected = verifier.verify(&altered, &signature).is_err();
            let mut bad_sig = signature.clone();
            bad_sig[signature.len() / 2] ^= 0x40;
            let bad_sig_rejected = verifier.verify(message, &bad_sig).is_err();
            Ok(valid && altered_rejected && bad_sig_rejected)
        })();
        t.check_result(&what, result);
    }
    let strict = (|| -> Result<bool, hx::sign::Error> {
        // A weak (small-order) Ed25519 key is refused when read; so is an RSA
        // key below 2048 bits (tested in the crate, too slow to make here).
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak_refused = ed25519::VerifyingKey::from_bytes(&identity).is_err();
        // Batch verification agrees with single verification.
        let keys = (0..8)
            .map(|_| ed25519::SigningKey::generate())
            .collect::<Result<Vec<_>, _>>()?;
        let sigs: Vec<_> = keys.iter().map(|k| k.sign(message)).collect();
        let pubs: Vec<_> = keys
            .iter()
            .map(ed25519::SigningKey::verifying_key)
            .collect();
        let mut batch: Vec<_> = sigs
            .iter()
            .zip(&pubs)
            .map(|(s, k)| (&message[..], s, k))
            .collect();
        let good = ed25519::verify_batch(&batch).is_ok();
        batch.swap(0, 1);
        batch[0].1 = &sigs[0];
        let bad = ed25519::verify_batch(&batch).is_err();
        t.show(
            "batch of 8, then one swapped",
            format!("{good} / rejected: {bad}"),
        );
        Ok(weak_refused && good && bad)
    })();
    t.check_result(
        "weak Ed25519 key refused; batch verification catches one bad signature",
        strict,
    );
}

fn key_exchange(t: &mut Tour) {
    use hx::kex::x25519::{self, EphemeralSecret, StaticSecret};
    use hx::kex::{PrivateKey, PublicKey};
    use hx::sign::Algorithm;

    t.section(
        6,
        "Key exchange and public-key encryption: X25519, HPKE, RSA-OAEP (hx-kex)",
    );
    let agreement = (|| -> Result<bool, hx::kex::Error> {
        let server = StaticSecret::generate()?;
        let client = EphemeralSecret::generate()?;
        let client_public = client.public_key();
        let c = client
            .agree(&server.public_key())?
            .derive(b"tour session v1", 32)?;
        let s = server
            .agree(&client_public)?
            .derive(b"tour session v1", 32)?;
        t.show("client public key", hex::encode(client_public.as_bytes()));
        t.show(
            "derived session key",
            format!("{} bytes, equal on both sides (not shown)", c.len()),
        );
        // A low-order peer key gives an all-zero secret: refused.
        let low_order = x25519::PublicKey::from_bytes(&[0u8; 32])?;
        let refused = server.agree(&low_order).is_err();
        Ok(*c == *s && refused)
    })();
    t.check_result(
        "X25519: both sides derive the same key; a low-order key is refused",
        agreement,
    );
    for algorithm in [
        Algorithm::X25519,
        Algorithm::XWing,
        Algorithm::Rsa { bits: 2048 },
    ] {
        let what = format!(
            "{algorithm}: encrypt to the PEM public key, decrypt, tampering and wrong info rejected"
        );
        let result = (|| -> Result<bool, hx::kex::Error> {
            let key = PrivateKey::generate(algorithm)?;
            let public = PublicKey::from_pem(key.public_key()?.to_pem()?.as_bytes())?;
            let ciphertext = public.encrypt(b"tour", b"the database password")?;
            t.show(
                &format!("{algorithm} ciphertext"),
                format!("{} bytes", ciphertext.len()),
            );
            let opened = key.decrypt(b"tour", &ciphertext)?;
            let mut altered = ciphertext.clone();
            altered[ciphertext.len() / 2] ^= 1;
            Ok(&opened[..] == b"the database password"
                && key.decrypt(b"tour", &altered).is_err()
                && key.decrypt(b"other", &ciphertext).is_err())
        })();
        t.check_result(&what, result);
    }
    age_files(t);
}

/// Part of step 6: age files (hx-age) to an X25519 and a post-quantum
/// recipient, readable by age and rage.
fn age_files(t: &mut Tour) {
    use hx::age::{Decryptor, Encryptor, Identity, Recipient, pq, x25519};
    type Keys = (
        Box<dyn Identity>,
        Box<dyn Recipient + Send + Sync>,
        Box<dyn Identity>,
        String,
    );
    let x25519_keys = || -> Result<Keys, hx::age::Error> {
        let me = x25519::Identity::generate()?;
        let recipient = me.to_recipient();
        let shown = recipient.to_string();
        Ok((
            Box::new(me),
            Box::new(recipient),
            Box::new(x25519::Identity::generate()?),
            shown,
        ))
    };
    let pq_keys = || -> Result<Keys, hx::age::Error> {
        let me = pq::Identity::generate()?;
        let recipient = me.to_recipient();
        let text = recipient.to_string();
        let shown = format!("{}… ({} characters)", &text[..24], text.len());
        Ok((
            Box::new(me),
            Box::new(recipient),
            Box::new(pq::Identity::generate()?),
            shown,
        ))
    };
    for (label, keys) in [
        (
            "X25519 recipient (age1…)",
            &x25519_keys as &dyn Fn() -> Result<Keys, hx::age::Error>,
        ),
        ("post-quantum recipient (age1pq1…)", &pq_keys),
    ] {
        let what = format!(
            "age file to the {label}: opens; another identity and a changed byte are refused"
        );
        let result = (|| -> Result<bool, hx::age::Error> {
            let (me, recipient, other, shown) = keys()?;
            t.show(label, shown);
            let mut file = Vec::new();
            Encryptor::with_recipients(vec![recipient])?
                .encrypt_armored(&b"ship the release at noon"[..], &mut file)?;
            t.show("armored age file", format!("{} bytes", file.len()));
            let mut opened = Vec::new();
            Decryptor::new(&file[..])?.decrypt_to(&[me.as_ref()], &mut opened)?;
            let wrong = Decryptor::new(&file[..])?
                .decrypt_to(&[other.as_ref()], &mut Vec::new())
                .is_err();
            let mut changed = file.clone();
            let at = changed.len() - 60;
            changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
            let tampered = Decryptor::new(&changed[..])
                .and_then(|d| d.decrypt_to(&[me.as_ref()], &mut Vec::new()))
                .is_err();
            Ok(opened == b"ship the release at noon" && wrong && tampered)
        })();
        t.check_result(&what, result);
    }
}

/// A message type of the tour's envelope step.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Grant {
    user: String,
    roles: Vec<String>,
    expires: u64,
}

impl hx::safe_deser::Message for Grant {
    const TAG: hx::safe_deser::Tag = hx::safe_deser::Tag::new("tour.Grant", 1);
}

/// Another type, not on the tour's allow-list.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Shutdown {
    now: bool,
}

impl hx::safe_deser::Message for Shutdown {
    const TAG: hx::safe_deser::Tag = hx::safe_deser::Tag::new("tour.Shutdown", 1);
}

fn safe_deserialization(t: &mut Tour) {
    use hx::safe_deser::pickle::{self, LoadOptions, Verdict};
    use hx::safe_deser::{Error, Limits, MacKey, Registry, bounded};

    t.section(
        7,
        "Safe deserialization: limits, allow-listed envelopes, pickles (hx-safe-deser)",
    );
    let envelopes = (|| -> Result<bool, Error> {
        let key = r::token_bytes(32).map_err(|_| Error::InvalidKey("no randomness"))?;
        let registry = Registry::<Grant>::only().with_mac_key(MacKey::hmac_sha256(&key)?);
        let grant = Grant {
            user: "ada".into(),
            roles: vec!["admin".into()],
            expires: 1_800_000_000,
        };
        let mut bytes = registry.encode(&grant)?;
        t.show("envelope (HMAC-SHA256)", format!("{} bytes", bytes.len()));
        let decoded = registry.decode::<Grant>(&bytes)? == grant;
        let other = registry.encode(&Shutdown { now: true })?;
        let not_allowed = matches!(
            registry.decode::<Grant>(&other),
            Err(Error::NotAllowed { .. })
        );
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = matches!(registry.decode::<Grant>(&bytes), Err(Error::BadMac));
        Ok(decoded && not_allowed && tampered)
    })();
    t.check_result(
        "envelope: decodes under its MAC; a type off the allow-list and a flipped bit are refused",
        envelopes,
    );
    let limits = Limits::default();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let depth = bounded::from_json::<serde_json::Value>(deep.as_bytes(), &limits);
    t.show("10,000-deep JSON", format!("{:?}", depth.as_ref().err()));
    // A 9-byte postcard input that claims 2^32 elements, and an overlong varint.
    let bomb =
        bounded::from_postcard::<Vec<u64>>(&[0x80, 0x80, 0x80, 0x80, 0x10, 1, 2, 3, 4], &limits);
    let overlong = bounded::from_postcard::<u32>(&[0x80, 0x00], &limits);
    t.check(
        "limits: deep nesting, a 2^32-element claim and an overlong varint are typed errors",
        matches!(depth, Err(Error::DepthLimit { .. }))
            && matches!(bomb, Err(Error::SeqTooLong { .. } | Error::Truncated))
            && matches!(overlong, Err(Error::OverlongVarint)),
    );
    // pickle.dumps({"user": "ada", "roles": ("admin", "dev"), "quota": 2**70}, protocol=4)
    let benign: &[u8] = b"\x80\x04\x95=\x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x04user\x94\x8c\x03ada\x94\x8c\x05roles\x94\x8c\x05admin\x94\x8c\x03dev\x94\x86\x94\x8c\x05quota\x94\x8a\t\x00\x00\x00\x00\x00\x00\x00\x00@u.";
    let options = LoadOptions::default();
    let loaded = pickle::load(benign, &options).map(|v| v.to_json());
    if let Ok(json) = &loaded {
        t.show("benign pickle as JSON", json);
    }
    t.check(
        "pickle: plain data decodes without executing anything",
        loaded.as_deref().ok()
            == Some(r#"{"user":"ada","roles":["admin","dev"],"quota":"1180591620717411303424"}"#),
    );
    // The classic: os.system through __reduce__ (protocol 0).
    let evil: &[u8] = b"cposix\nsystem\n(Vecho pwned\ntR.";
    let report = pickle::scan(evil, &options);
    for f in &report.globals {
        t.show(
            "scan finds",
            format!("{}.{} ({})", f.module, f.name, f.verdict),
        );
    }
    t.check(
        "pickle: os.system via __reduce__ is refused by load and flagged dangerous by scan",
        matches!(
            pickle::load(evil, &options),
            Err(Error::ForbiddenGlobal { .. })
        ) && report
            .globals
            .iter()
            .any(|f| f.verdict == Verdict::Dangerous),
    );
}

fn encrypted_config(t: &mut Tour) {
    use hx::config::{Config, Error, Opener, Tamper};
    use secrecy::ExposeSecret as _;

    t.section(
        8,
        "The encrypted configuration manager: sealed values, MACs, recipients, merges (hx-config)",
    );
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            t.say(format_args!("     error: {e}"));
            t.check("a temporary directory for the config files", false);
            return;
        }
    };
    let path = dir.path().join("prod.hxc");
    let setup = (|| -> Result<(Opener, Opener, Opener), Error> {
        let ring = Opener::Keyring(hx::aead::Keyring::generate()?);
        let ops = Opener::Identity(hx::kex::PrivateKey::generate(hx::sign::Algorithm::X25519)?);
        let dev = Opener::Identity(hx::kex::PrivateKey::generate(hx::sign::Algorithm::XWing)?);
        Ok((ring, ops, dev))
    })();
    let Ok((ring, ops, dev)) = setup else {
        t.check("keys for the config files", false);
        return;
    };
    let public = |o: &Opener| match o {
        Opener::Identity(k) => k.public_key().map_err(Error::from),
        _ => Err(Error::RecipientNotFound),
    };

    let created = (|| -> Result<bool, Error> {
        let mut config = Config::create(&path, &ring, &[public(&ops)?, public(&dev)?])?;
        config.set("database.password", "correct horse battery staple")?;
        config.set("database.port", "5432")?;
        config.set("stripe.api-key", "sk_live_tour")?;
        config.save()?;
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        for line in text.lines().filter(|l| l.contains(" = ")).take(6) {
            let shown: String = line.chars().take(60).collect();
            t.show(
                "",
                if line.len() > 60 {
                    format!("{shown}…")
                } else {
                    shown
                },
            );
        }
        let by_ops = Config::open(&path, &ops)?;
        Ok(!text.contains("correct horse")
            && by_ops.get("database.password")?.expose_secret() == "correct horse battery staple")
    })();
    t.check_result(
        "values are sealed one by one; the keyring and both public-key recipients (X25519, X-Wing) open the file",
        created,
    );

    let tamper = (|| -> Result<bool, Error> {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        let line = |key: &str| {
            text.lines()
                .find(|l| l.starts_with(&format!("{key} = ")))
                .unwrap_or_default()
                .to_owned()
        };
        let (a, b) = (line("database.password"), line("stripe.api-key"));
        let value = |l: &str| l.split(" = ").nth(1).unwrap_or_default().to_owned();
        let probe = dir.path().join("tampered.hxc");
        let try_open = |t: &str| -> Result<(), Error> {
            std::fs::write(&probe, t).map_err(|e| Error::Io {
                path: probe.clone(),
                source: e,
            })?;
            Config::open(&probe, &ring).map(|_| ())
        };
        let swapped = text
            .replace(&a, &format!("database.password = {}", value(&b)))
            .replace(&b, &format!("stripe.api-key = {}", value(&a)));
        let moved = try_open(&swapped);
        let deleted = try_open(&text.replace(&format!("{b}\n"), ""));
        let mut older = Config::open(&path, &ring)?;
        older.set("database.port", "6543")?;
        older.save()?;
        let newer = std::fs::read_to_string(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        let port_now = newer
            .lines()
            .find(|l| l.starts_with("database.port = "))
            .unwrap_or_default()
            .to_owned();
        let rolled_back = try_open(&newer.replace(&port_now, &line("database.port")));
        if let Err(e) = &moved {
            t.show("swapped values", e);
        }
        Ok(matches!(moved, Err(Error::Tampered(Tamper::Moved { .. })))
            && matches!(deleted, Err(Error::Tampered(Tamper::Entries)))
            && matches!(rolled_back, Err(Error::Tampered(Tamper::Entries))))
    })();
    t.check_result(
        "tampering: swapped values, a deleted entry and an older ciphertext are each detected",
        tamper,
    );

    let recipients = (|| -> Result<bool, Error> {
        let mut config = Config::open(&path, &ring)?;
        config.remove_recipient(&public(&dev)?)?;
        config.save()?;
        let dev_locked_out = matches!(Config::open(&path, &dev), Err(Error::NotARecipient));
        let ops_reads = Config::open(&path, &ops)?
            .get("stripe.api-key")?
            .expose_secret()
            == "sk_live_tour";
        t.show(
            "generation after rotation",
            Config::open(&path, &ops)?.generation(),
        );
        Ok(dev_locked_out && ops_reads)
    })();
    t.check_result(
        "removing a recipient rotates the data key: it can no longer open the file",
        recipients,
    );

    let merged = (|| -> Result<bool, Error> {
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p).map_err(|e| Error::Io {
                path: p.to_path_buf(),
                source: e,
            })
        };
        let write = |p: &std::path::Path, text: &str| {
            std::fs::write(p, text).map_err(|e| Error::Io {
                path: p.to_path_buf(),
                source: e,
            })
        };
        let base = read(&path)?;
        let mut ours = Config::open(&path, &ring)?;
        ours.set("database.password", "rotated by ops")?;
        ours.save()?;
        let ours_text = read(&path)?;
        write(&path, &base)?;
        let mut theirs = Config::open(&path, &ring)?;
        theirs.set("feature.flag-key", "added by dev")?;
        theirs.save()?;
        let theirs_text = read(&path)?;
        let clean = hx::config::merge(&base, &ours_text, &theirs_text, &ring)?;
        write(&path, &clean.text)?;
        let result = Config::open(&path, &ring)?;
        let both = result.get("database.password")?.expose_secret() == "rotated by ops"
            && result.get("feature.flag-key")?.expose_secret() == "added by dev";
        write(&path, &base)?;
        let mut again = Config::open(&path, &ring)?;
        again.set("database.password", "a different value")?;
        again.save()?;
        let conflicting = hx::config::merge(&base, &ours_text, &read(&path)?, &ring)?;
        t.show("conflicts reported", conflicting.conflicts.join(", "));
        write(&path, &clean.text)?;
        Ok(clean.conflicts.is_empty() && both && conflicting.conflicts == ["database.password"])
    })();
    t.check_result(
        "merge driver: edits of different keys merge cleanly; the same key edited twice is a named conflict",
        merged,
    );

    #[derive(serde::Deserialize)]
    struct Settings {
        database: Database,
    }
    #[derive(serde::Deserialize)]
    struct Database {
        port: u16,
        password: secrecy::SecretString,
    }
    let typed = hx::config::load_with_env::<Settings, _, _, _>(
        &path,
        &ops,
        [("HX__DATABASE__PORT", "7000")],
    )
    .map(|s| s.database.port == 7000 && s.database.password.expose_secret() == "rotated by ops");
    t.check_result(
        "typed loading into SecretString fields, with an HX__DATABASE__PORT override",
        typed,
    );
}
