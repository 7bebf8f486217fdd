//! Tampering with a file someone without the key can do — moving, deleting,
//! duplicating or rolling back entries, changing the header — is detected by
//! `open` (and `verify`), with an error that says what was altered and no
//! value in it.

use hx_config::{Config, Error, Opener, Tamper};
use hx_keys::Algorithm;

use crate::api::{identity, keyring, public};

struct Fixture {
    dir: tempfile::TempDir,
    opener: Opener,
    other: Opener,
    v1: String,
    v2: String,
}

/// A file at generation 2 and generation 3 (`b` changed, `d` added).
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let opener = keyring();
    let other = identity(Algorithm::X25519);
    let mut config = Config::create(&path, &opener, &[public(&other)]).unwrap();
    config.set("a", "secret-a").unwrap();
    config.set("b", "secret-b").unwrap();
    config.set("c.d", "secret-cd").unwrap();
    config.save().unwrap();
    let v1 = std::fs::read_to_string(&path).unwrap();
    config.set("b", "secret-b2").unwrap();
    config.set("e", "secret-e").unwrap();
    config.save().unwrap();
    let v2 = std::fs::read_to_string(&path).unwrap();
    Fixture {
        dir,
        opener,
        other,
        v1,
        v2,
    }
}

fn line<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap()
}

fn value<'a>(text: &'a str, key: &str) -> &'a str {
    line(text, key).split(" = ").nth(1).unwrap()
}

fn open(f: &Fixture, text: &str) -> Result<(), Error> {
    let path = f.dir.path().join("t.hxc");
    std::fs::write(&path, text).unwrap();
    for opener in [&f.opener, &f.other] {
        let result = Config::open(&path, opener).and_then(|c| c.verify().map(|_| ()));
        if let Err(e) = result {
            assert!(!e.to_string().contains("secret-"), "{e}");
            return Err(e);
        }
    }
    Ok(())
}

#[test]
fn the_untouched_file_opens() {
    let f = fixture();
    open(&f, &f.v2).unwrap();
}

#[test]
fn values_swapped_between_two_keys() {
    let f = fixture();
    let (a, b) = (value(&f.v2, "a"), value(&f.v2, "b"));
    let text =
        f.v2.replace(line(&f.v2, "a"), &format!("a = {b}"))
            .replace(line(&f.v2, "b"), &format!("b = {a}"));
    let err = open(&f, &text).unwrap_err();
    assert!(
        matches!(&err, Error::Tampered(Tamper::Moved { path, sealed_for }) if path == "a" && sealed_for == "b"),
        "{err}"
    );
    assert!(err.to_string().contains("sealed for `b`"));
}

#[test]
fn a_value_moved_to_a_new_key() {
    let f = fixture();
    let text = f.v2.replace(
        line(&f.v2, "e"),
        &format!("e = {}\nz = {}", value(&f.v2, "e"), value(&f.v2, "a")),
    );
    assert!(matches!(
        open(&f, &text),
        Err(Error::Tampered(Tamper::Moved { .. }))
    ));
}

#[test]
fn an_entry_deleted() {
    let f = fixture();
    let text = f.v2.replace(&format!("{}\n", line(&f.v2, "c.d")), "");
    assert!(matches!(
        open(&f, &text),
        Err(Error::Tampered(Tamper::Entries))
    ));
}

#[test]
fn an_entry_duplicated() {
    let f = fixture();
    let l = line(&f.v2, "a");
    let text = f.v2.replace(l, &format!("{l}\n{l}"));
    let err = open(&f, &text).unwrap_err();
    assert!(
        matches!(&err, Error::Tampered(Tamper::Duplicate(p)) if p == "a"),
        "{err}"
    );
}

#[test]
fn a_value_from_an_older_generation() {
    let f = fixture();
    let text = f.v2.replace(line(&f.v2, "b"), line(&f.v1, "b"));
    let err = open(&f, &text).unwrap_err();
    assert!(matches!(err, Error::Tampered(Tamper::Entries)), "{err}");
}

#[test]
fn a_bit_flipped_in_a_value() {
    let f = fixture();
    let v = value(&f.v2, "c.d");
    let mut flipped = v.as_bytes().to_vec();
    flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };
    let text = f.v2.replace(v, std::str::from_utf8(&flipped).unwrap());
    assert!(matches!(
        open(&f, &text),
        Err(Error::Tampered(Tamper::Value(p))) if p == "c.d"
    ));
}

#[test]
fn the_generation_rolled_back_in_the_header() {
    let f = fixture();
    let text = f.v2.replace("generation = 3", "generation = 2");
    assert!(matches!(
        open(&f, &text),
        Err(Error::Tampered(Tamper::Header))
    ));
}

#[test]
fn a_changed_recipient_list() {
    let f = fixture();
    // Remove the public-key recipient: the keyring still opens, and sees the
    // header changed.
    let start = f.v2.find("[[hx.recipient]]\ntype = \"x25519\"").unwrap();
    let text = f.v2[..start].trim_end().to_owned();
    let path = f.dir.path().join("t.hxc");
    std::fs::write(&path, &text).unwrap();
    assert!(matches!(
        Config::open(&path, &f.opener),
        Err(Error::Tampered(Tamper::Header))
    ));
    // Add a recipient copied from another file.
    let dir = tempfile::tempdir().unwrap();
    let stranger = identity(Algorithm::X25519);
    Config::create_for(dir.path().join("x.hxc"), None, &[public(&stranger)]).unwrap();
    let foreign = std::fs::read_to_string(dir.path().join("x.hxc")).unwrap();
    let block = &foreign[foreign.find("[[hx.recipient]]").unwrap()..];
    let text = format!("{}\n{block}", f.v2);
    assert!(matches!(
        open(&f, &text),
        Err(Error::Tampered(Tamper::Header))
    ));
}

#[test]
fn a_changed_file_id() {
    let f = fixture();
    let l = f.v2.lines().find(|l| l.starts_with("file = ")).unwrap();
    let text = f.v2.replace(l, "file = \"AAAAAAAAAAAAAAAAAAAAAA\"");
    let err = open(&f, &text).unwrap_err();
    assert!(matches!(err, Error::Tampered(Tamper::Header)), "{err}");
}

#[test]
fn a_whole_file_from_another_config_with_the_same_keys() {
    // Same keyring, different file: the values of one cannot be pasted into
    // the other (the file id salts the keys).
    let f = fixture();
    let path = f.dir.path().join("other.hxc");
    let mut other = Config::create(&path, &f.opener, &[]).unwrap();
    other.set("a", "other-a").unwrap();
    other.save().unwrap();
    let other_text = std::fs::read_to_string(&path).unwrap();
    let text = f.v2.replace(line(&f.v2, "a"), line(&other_text, "a"));
    assert!(matches!(open(&f, &text), Err(Error::Tampered(Tamper::Value(p))) if p == "a"));
}

#[test]
fn malformed_documents_get_parse_errors() {
    let f = fixture();
    for (text, needle) in [
        ("", "no [hx] header"),
        ("a = 1\n[hx]\n", "not a sealed string"),
        ("a = \"!!\"\n[hx]\n", "base64url"),
        ("[hx]\nversion = 3\n", "format version 3"),
        ("[hx]\nversion = 2\n", "[hx.plain]"),
        ("[hx]\nversion = 1\n", "hx.file"),
        ("x = = 1", "line 1"),
    ] {
        let err = open(&f, text).unwrap_err();
        assert!(matches!(err, Error::Parse { .. }), "{text:?}: {err}");
        assert!(err.to_string().contains(needle), "{text:?}: {err}");
    }
    let text = f.v2.replace("[hx]\n", "[hx]\nextra = 1\n");
    assert!(
        open(&f, &text)
            .unwrap_err()
            .to_string()
            .contains("hx.extra")
    );
}

#[test]
fn keys_that_are_not_single_segments_and_twin_recipients_are_refused() {
    let f = fixture();
    // A quoted key holding a dot would give `c.d` a second spelling.
    let text = f.v2.replace(
        line(&f.v2, "e"),
        &format!("\"c.d\" = {}", value(&f.v2, "e")),
    );
    let err = open(&f, &text).unwrap_err();
    assert!(matches!(err, Error::Parse { .. }), "{err}");
    // The same public key twice with different wrapped keys.
    let start = f.v2.find("[[hx.recipient]]\ntype = \"x25519\"").unwrap();
    let block = f.v2[start..].to_owned();
    let twin = block.replacen("wrapped = \"", "wrapped = \"AAAA", 1);
    let err = open(&f, &format!("{}\n{twin}", f.v2)).unwrap_err();
    assert!(err.to_string().contains("twice"), "{err}");
}

#[test]
fn rsa_recipient_types_cover_every_accepted_size() {
    let f = fixture();
    for (kind, ok) in [
        ("rsa-2048", true),
        ("rsa-2560", true),
        ("rsa-8192", true),
        ("rsa-1024", false),
        ("rsa-9000", false),
        ("rsa-02048", false),
        ("ed25519", false),
    ] {
        let text =
            f.v2.replace("type = \"x25519\"", &format!("type = \"{kind}\""));
        assert_eq!(hx_config::inspect(&text).is_ok(), ok, "{kind}");
    }
}

#[test]
fn a_large_moved_value_is_reported_without_an_expensive_search() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let opener = keyring();
    let mut config = Config::create(&path, &opener, &[]).unwrap();
    config.set("a", &"x".repeat(40_000)).unwrap();
    config.set("b", "small").unwrap();
    config.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let (a, b) = (line(&text, "a"), line(&text, "b"));
    let swapped = text
        .replace(a, &format!("a = {}", value(&text, "b")))
        .replace(b, &format!("b = {}", value(&text, "a")));
    std::fs::write(&path, swapped).unwrap();
    // `a` (small) was sealed for `b`: found. Had the large one come first,
    // it would be reported as not authenticating.
    let err = Config::open(&path, &opener).unwrap_err();
    assert!(
        matches!(&err, Error::Tampered(Tamper::Moved { path, .. } | Tamper::Value(path)) if path == "a"),
        "{err}"
    );
}

#[test]
fn a_keyring_token_with_characters_no_token_has_is_refused() {
    // Found by the `config_document` fuzz target: a TOML literal string can
    // hold a backslash, which the canonical text could not write back.
    let f = fixture();
    let l =
        f.v2.lines()
            .find(|l| l.starts_with("wrapped = \"hx1."))
            .unwrap();
    let token = &l["wrapped = \"".len()..l.len() - 1];
    let bad = format!("wrapped = '{}\\g{}'", &token[..10], &token[10..]);
    let err = hx_config::inspect(&f.v2.replace(l, &bad)).unwrap_err();
    assert!(matches!(err, Error::Parse { .. }), "{err}");
    assert!(hx_config::hazmat::canonical(&f.v2.replace(l, &bad)).is_err());
    // The same token as a literal string without odd characters is fine.
    let literal = format!("wrapped = '{token}'");
    assert!(hx_config::inspect(&f.v2.replace(l, &literal)).is_ok());
}

/// Values kept in clear (`set_plain`, format version 2) are under the MAC
/// like sealed ones: changed, removed, added, turned into a sealed entry or
/// a sealed entry passed off as one in clear, every edit is refused.
mod in_clear {
    use super::*;

    /// `a` sealed, `port` and `host.name` in clear.
    fn plain_fixture() -> (Fixture, String) {
        let f = fixture();
        let path = f.dir.path().join("p.hxc");
        let mut config = Config::create(&path, &f.opener, &[public(&f.other)]).unwrap();
        config.set("a", "secret-a").unwrap();
        config.set_plain("port", "8443").unwrap();
        config.set_plain("host.name", "db.internal").unwrap();
        config.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\n[hx.plain]\nhost.name = \"db.internal\"\nport = \"8443\"\n"));
        assert!(text.contains("\nversion = 2\n"));
        (f, text)
    }

    #[test]
    fn the_untouched_file_opens() {
        let (f, text) = plain_fixture();
        open(&f, &text).unwrap();
    }

    #[test]
    fn a_changed_added_or_removed_value_in_clear() {
        let (f, text) = plain_fixture();
        for edited in [
            text.replace("port = \"8443\"", "port = \"8444\""),
            text.replace("port = \"8443\"\n", ""),
            text.replace("port = \"8443\"", "port = \"8443\"\nextra = \"1\""),
            text.replace(
                "host.name = \"db.internal\"",
                "host.other = \"db.internal\"",
            ),
        ] {
            assert_ne!(edited, text);
            let err = open(&f, &edited).unwrap_err();
            assert!(matches!(err, Error::Tampered(Tamper::Entries)), "{err}");
        }
    }

    #[test]
    fn a_sealed_value_passed_off_as_one_in_clear_and_back() {
        let (f, text) = plain_fixture();
        // the sealed entry's text moved into [hx.plain]: same bytes, other kind
        let sealed_line = line(&text, "a");
        let moved = text
            .replace(&format!("{sealed_line}\n"), "")
            .replace("[hx.plain]\n", &format!("[hx.plain]\n{sealed_line}\n"));
        let err = open(&f, &moved).unwrap_err();
        assert!(matches!(err, Error::Tampered(Tamper::Entries)), "{err}");
        // a value in clear moved out of [hx.plain] is no sealed value
        let out = text
            .replace("port = \"8443\"\n", "")
            .replace("[hx.plain]\n", "port = \"8443\"\n[hx.plain]\n");
        assert!(open(&f, &out).is_err());
    }

    #[test]
    fn a_path_both_sealed_and_in_clear_or_both_value_and_table() {
        let (f, text) = plain_fixture();
        let twice = text.replace("[hx.plain]\n", "[hx.plain]\na = \"x\"\n");
        let err = open(&f, &twice).unwrap_err();
        assert!(
            matches!(&err, Error::Tampered(Tamper::Duplicate(p)) if p == "a"),
            "{err}"
        );
        let table = text.replace("[hx.plain]\n", "[hx.plain]\na.b = \"x\"\n");
        assert!(matches!(open(&f, &table), Err(Error::Parse { .. })));
        let reserved = text.replace("[hx.plain]\n", "[hx.plain]\nhx.b = \"x\"\n");
        assert!(open(&f, &reserved).is_err());
        let not_string = text.replace("port = \"8443\"", "port = 8443");
        assert!(matches!(open(&f, &not_string), Err(Error::Parse { .. })));
    }

    #[test]
    fn the_version_cannot_be_lowered_to_hide_the_kinds() {
        let (f, text) = plain_fixture();
        // version 1 with the [hx.plain] table: an unknown header field
        let lowered = text.replace("version = 2", "version = 1");
        assert!(matches!(open(&f, &lowered), Err(Error::Parse { .. })));
    }

    /// A version 1 file raised to version 2 with an [hx.plain] table that
    /// holds no value (empty, or of empty tables, in either TOML spelling)
    /// is refused: the version is the one the MAC binds.
    #[test]
    fn the_version_cannot_be_raised_without_values_in_clear() {
        let f = fixture();
        let raised = f.v2.replace("version = 1", "version = 2");
        for text in [
            raised.clone(),
            raised.replace("\n[hx]\n", "\n[hx.plain]\n\n[hx]\n"),
            raised.replace("\n[hx]\n", "\n[hx.plain.x]\n\n[hx]\n"),
            raised.replace("\n[hx]\n", "\n[hx]\nplain = { x = {} }\n"),
            raised.replace("\n[hx]\n", "\n[hx.plain]\nx.y = {}\n\n[hx]\n"),
        ] {
            let err = open(&f, &text).unwrap_err();
            assert!(matches!(err, Error::Parse { .. }), "{text}: {err}");
        }
    }
}
