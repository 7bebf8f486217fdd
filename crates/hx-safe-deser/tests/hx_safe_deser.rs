//! hx-safe-deser's integration tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc,
    clippy::cast_possible_truncation,
    missing_docs
)]

#[path = "hx_safe_deser/diff.rs"]
mod diff;
#[path = "hx_safe_deser/envelope.rs"]
mod envelope;
#[path = "hx_safe_deser/hostile.rs"]
mod hostile;
#[path = "hx_safe_deser/limits.rs"]
mod limits;
#[cfg(feature = "models")]
#[path = "hx_safe_deser/models.rs"]
mod models;
#[path = "hx_safe_deser/pickle.rs"]
mod pickle;
#[path = "hx_safe_deser/props.rs"]
mod props;

use hx_safe_deser::{Message, Tag};
use serde::{Deserialize, Serialize};

/// The record of the FORMAT.md vectors.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Record {
    pub id: u32,
    pub name: String,
    pub tags: Vec<String>,
    pub score: Option<i64>,
}

impl Message for Record {
    const TAG: Tag = Tag::new("hx.test.Record", 3);
}

pub fn record() -> Record {
    Record {
        id: 300,
        name: "ada".to_owned(),
        tags: vec!["x".to_owned(), "yz".to_owned()],
        score: Some(-5),
    }
}

/// Runs the Python peer (`$HX_PYTHON`, set by `cargo xtask ci`, or
/// `python3`); a missing peer fails the test.
pub fn python(args: &[&str]) -> serde_json::Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/safe_deser_peer.py"
    );
    serde_json::from_slice(&hx_test_support::run_python(script, args, b"")).unwrap()
}

/// Scan verdicts have a text form (the word `hx pickle scan` prints), and
/// with `serde` findings serialize with it.
#[test]
fn verdicts_have_a_text_form() {
    use hx_safe_deser::pickle::{self, Verdict};
    for v in [
        Verdict::Allowed,
        Verdict::NotAllowed,
        Verdict::Dangerous,
        Verdict::Unresolved,
    ] {
        assert_eq!(v.to_string().parse::<Verdict>().unwrap(), v);
    }
    assert!("safe".parse::<Verdict>().is_err());
    // A pickle that imports os.system (protocol 0, as CPython writes it).
    let evil = b"cos\nsystem\n(S'echo hi'\ntR.";
    let report = pickle::scan(evil, &pickle::LoadOptions::default());
    let finding = &report.globals[0];
    assert_eq!(finding.verdict, Verdict::Dangerous);
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_value(finding).unwrap();
        assert_eq!(json["verdict"], "dangerous");
        assert_eq!(json["module"], "os");
        assert_eq!(json["name"], "system");
        assert_eq!(
            serde_json::from_str::<Verdict>("\"unresolved\"").unwrap(),
            Verdict::Unresolved
        );
    }
}
