//! The merge driver's library function (the `git merge` runs are in
//! hx-cli's tests, with the `hx` binary as the driver).

use std::path::Path;

use hx_config::{Config, Error, Opener, merge};
use hx_keys::Algorithm;

use crate::api::{get, identity, keyring, public};

fn edit(path: &Path, opener: &Opener, f: impl FnOnce(&mut Config<'_>)) -> String {
    let mut config = Config::open(path, opener).unwrap();
    f(&mut config);
    config.save().unwrap();
    std::fs::read_to_string(path).unwrap()
}

struct Versions {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    base: String,
}

fn base(opener: &Opener, recipients: &[hx_kex::PublicKey]) -> Versions {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.hxc");
    let mut config = Config::create(&path, opener, recipients).unwrap();
    for k in ["a", "b", "c", "d"] {
        config.set(k, &format!("base-{k}")).unwrap();
    }
    config.save().unwrap();
    let base = std::fs::read_to_string(&path).unwrap();
    Versions {
        _dir: dir,
        path,
        base,
    }
}

fn branch(v: &Versions, opener: &Opener, f: impl FnOnce(&mut Config<'_>)) -> String {
    std::fs::write(&v.path, &v.base).unwrap();
    edit(&v.path, opener, f)
}

fn open_merged<'o>(v: &Versions, text: &str, opener: &'o Opener) -> Config<'o> {
    std::fs::write(&v.path, text).unwrap();
    Config::open(&v.path, opener).unwrap()
}

#[test]
fn unrelated_edits_merge_cleanly() {
    let ring = keyring();
    let v = base(&ring, &[]);
    let ours = branch(&v, &ring, |c| {
        c.set("a", "ours-a").unwrap();
        c.remove("c").unwrap();
        c.set("new.ours", "1").unwrap();
    });
    let theirs = branch(&v, &ring, |c| {
        c.set("b", "theirs-b").unwrap();
        c.set("new.theirs", "2").unwrap();
        c.set("d", "same").unwrap();
    });
    let merged = merge(&v.base, &ours, &theirs, &ring).unwrap();
    assert!(merged.conflicts.is_empty());
    let config = open_merged(&v, &merged.text, &ring);
    assert_eq!(
        config.keys().collect::<Vec<_>>(),
        ["a", "b", "d", "new.ours", "new.theirs"]
    );
    assert_eq!(get(&config, "a"), "ours-a");
    assert_eq!(get(&config, "b"), "theirs-b");
    assert_eq!(get(&config, "d"), "same");
    assert_eq!(config.generation(), 4);
    config.verify().unwrap();
    // Unchanged entries keep their ciphertext lines (no churn in diffs).
    let line = |t: &str, k: &str| {
        t.lines()
            .find(|l| l.starts_with(&format!("{k} = ")))
            .map(str::to_owned)
    };
    assert_eq!(line(&merged.text, "a"), line(&ours, "a"));
    assert_eq!(line(&merged.text, "b"), line(&theirs, "b"));
}

#[test]
fn the_same_key_changed_on_both_sides_conflicts_by_name() {
    let ring = keyring();
    let v = base(&ring, &[]);
    let ours = branch(&v, &ring, |c| {
        c.set("a", "ours-a").unwrap();
        c.set("b", "both").unwrap();
    });
    let theirs = branch(&v, &ring, |c| {
        c.set("a", "theirs-a").unwrap();
        c.set("b", "both").unwrap();
        c.remove("c").unwrap();
    });
    let merged = merge(&v.base, &ours, &theirs, &ring).unwrap();
    assert_eq!(merged.conflicts, ["a"]);
    let config = open_merged(&v, &merged.text, &ring);
    assert_eq!(get(&config, "a"), "ours-a");
    assert_eq!(get(&config, "b"), "both");
    assert!(!config.contains("c"));
    // Removed on one side, changed on the other: a conflict too.
    let ours = branch(&v, &ring, |c| c.remove("d").unwrap());
    let theirs = branch(&v, &ring, |c| c.set("d", "changed").unwrap());
    assert_eq!(
        merge(&v.base, &ours, &theirs, &ring).unwrap().conflicts,
        ["d"]
    );
}

#[test]
fn a_rotation_on_one_side_merges_and_keeps_the_removed_party_out() {
    let ring = keyring();
    let bob = identity(Algorithm::X25519);
    let carol = identity(Algorithm::X25519);
    let v = base(&ring, &[public(&bob)]);
    let ours = branch(&v, &ring, |c| {
        c.set("a", "ours-a").unwrap();
        c.add_recipient(&public(&carol)).unwrap();
    });
    let theirs = branch(&v, &ring, |c| {
        c.remove_recipient(&public(&bob)).unwrap();
        c.set("b", "theirs-b").unwrap();
    });
    let merged = merge(&v.base, &ours, &theirs, &ring).unwrap();
    assert!(merged.conflicts.is_empty());
    let config = open_merged(&v, &merged.text, &ring);
    assert_eq!(get(&config, "a"), "ours-a");
    assert_eq!(get(&config, "b"), "theirs-b");
    assert!(matches!(
        Config::open(&v.path, &bob),
        Err(Error::NotARecipient)
    ));
    assert_eq!(get(&Config::open(&v.path, &carol).unwrap(), "a"), "ours-a");
    // Bob's copy of the base data key opens nothing in the merged file.
    assert!(
        !merged
            .text
            .contains(v.base.lines().find(|l| l.starts_with("a = ")).unwrap())
    );
}

#[test]
fn versions_of_different_files_are_refused() {
    let ring = keyring();
    let v = base(&ring, &[]);
    let w = base(&ring, &[]);
    assert!(matches!(
        merge(&v.base, &v.base, &w.base, &ring),
        Err(Error::Parse { .. })
    ));
}

#[test]
fn a_value_on_one_side_and_a_table_on_the_other_is_a_conflict() {
    let ring = keyring();
    let v = base(&ring, &[]);
    let ours = branch(&v, &ring, |c| c.set("x", "ours").unwrap());
    let theirs = branch(&v, &ring, |c| {
        c.set("x.y", "theirs").unwrap();
        c.set("z", "theirs-z").unwrap();
    });
    let merged = merge(&v.base, &ours, &theirs, &ring).unwrap();
    assert_eq!(merged.conflicts, ["x.y"]);
    let config = open_merged(&v, &merged.text, &ring);
    assert_eq!(get(&config, "x"), "ours");
    assert_eq!(get(&config, "z"), "theirs-z");
}

#[test]
fn without_a_base_a_removed_recipient_is_not_added_back() {
    let ring = keyring();
    let bob = identity(Algorithm::X25519);
    let v = base(&ring, &[public(&bob)]);
    let ours = branch(&v, &ring, |c| c.remove_recipient(&public(&bob)).unwrap());
    let theirs = branch(&v, &ring, |c| c.set("t", "1").unwrap());
    let merged = merge("", &ours, &theirs, &ring).unwrap();
    std::fs::write(&v.path, &merged.text).unwrap();
    assert!(matches!(
        Config::open(&v.path, &bob),
        Err(Error::NotARecipient)
    ));
    assert_eq!(get(&Config::open(&v.path, &ring).unwrap(), "t"), "1");
}

#[test]
fn values_in_clear_merge_with_their_kind() {
    let ring = keyring();
    let v = base(&ring, &[]);
    // ours adds a value in clear and unseals `a`; theirs adds another, and
    // rotates (so ours' sealed entries are re-sealed, its clear ones kept)
    let ours = branch(&v, &ring, |c| {
        c.set_plain("port", "8443").unwrap();
        c.set_plain("a", "base-a").unwrap();
    });
    let theirs = branch(&v, &ring, |c| {
        c.set_plain("host", "db.internal").unwrap();
        c.rotate().unwrap();
    });
    let merged = merge(&v.base, &ours, &theirs, &ring).unwrap();
    assert!(merged.conflicts.is_empty(), "{:?}", merged.conflicts);
    assert!(merged.text.contains("\nversion = 2\n"));
    let config = open_merged(&v, &merged.text, &ring);
    for (k, value) in [("port", "8443"), ("host", "db.internal"), ("a", "base-a")] {
        assert!(config.is_plain(k), "{k}");
        assert_eq!(get(&config, k), value);
    }
    assert!(!config.is_plain("b"));
    assert_eq!(get(&config, "b"), "base-b");

    // the same value, in clear on one side and sealed on the other, is a
    // change on both sides: a conflict, named
    let base_v = branch(&v, &ring, |c| c.set("e", "same").unwrap());
    std::fs::write(&v.path, &base_v).unwrap();
    let ours = edit(&v.path, &ring, |c| c.set_plain("e", "same").unwrap());
    std::fs::write(&v.path, &base_v).unwrap();
    let theirs = edit(&v.path, &ring, |c| c.set("e", "other").unwrap());
    let merged = merge(&base_v, &ours, &theirs, &ring).unwrap();
    assert_eq!(merged.conflicts, ["e"]);
    // a kind changed on one side only is taken from that side
    std::fs::write(&v.path, &base_v).unwrap();
    let theirs = edit(&v.path, &ring, |c| c.set("b", "base-b").unwrap());
    let merged = merge(&base_v, &ours, &theirs, &ring).unwrap();
    assert!(merged.conflicts.is_empty());
    let config = open_merged(&v, &merged.text, &ring);
    assert!(config.is_plain("e"));
    assert_eq!(get(&config, "e"), "same");
}
