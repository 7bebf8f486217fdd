//! `.env` files: hx-config's reader against python-dotenv's parser on a
//! corpus of tricky files (tests/data/dotenv/) and on generated texts.

use hx_config::dotenv;
use hx_test_support::{SplitMix64, peer_seed, python_json};
use serde_json::{Value, json};

fn script() -> String {
    format!(
        "{}/tests/interop/dotenv_peer.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// hx's reading of `text`: `None` if refused, else `(key, value)` pairs.
fn ours(text: &str) -> Option<Vec<(String, Option<String>)>> {
    dotenv::parse(text)
        .ok()
        .map(|entries| entries.into_iter().map(|e| (e.key, e.value)).collect())
}

fn theirs(answer: &Value) -> Option<Vec<(String, Option<String>)>> {
    if answer["error"].as_bool().unwrap() {
        return None;
    }
    Some(
        answer["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_owned(),
                    pair[1].as_str().map(str::to_owned),
                )
            })
            .collect(),
    )
}

fn compare(texts: &[String]) -> usize {
    let answers = python_json(script(), &[], &json!(texts));
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), texts.len());
    let mut refused = 0;
    for (text, answer) in texts.iter().zip(answers) {
        let want = theirs(answer);
        refused += usize::from(want.is_none());
        assert_eq!(ours(text), want, "text: {text:?}");
    }
    refused
}

/// The corpus: quotes and escapes, comments, multi-line values, `export`,
/// expansion syntax (kept as written), `=` in values, CRLF, Unicode, bare
/// keys, duplicates, an unterminated quote, backslashes.
#[test]
fn the_corpus_reads_as_python_dotenv_reads_it() {
    let dir = format!("{}/tests/data/dotenv", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "env"))
        .collect();
    names.sort();
    let texts: Vec<String> = names
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(texts.len(), 12);
    assert_eq!(compare(&texts), 1, "only the unterminated quote is refused");
}

/// Line numbers in refusals are the statement's own, after blank lines.
#[test]
fn refusals_name_the_statements_line() {
    let err = dotenv::parse("A=1\n\n\nB C\n").unwrap_err().to_string();
    assert!(err.contains("line 4"), "{err}");
    let err = dotenv::parse("A=1\r\n\r\nB=\"open\r\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
    // CRLF inside quotes is a line feed, as python-dotenv reads a file
    let entries = dotenv::parse("A=\"one\r\ntwo\"\r\nB='x\ry'\r\n").unwrap();
    assert_eq!(entries[0].value.as_deref(), Some("one\ntwo"));
    assert_eq!(entries[1].value.as_deref(), Some("x\ny"));
}

/// Texts made of the pieces that trip parsers, a few thousand per run;
/// `HX_PEER_SEED` replays a run.
#[test]
fn generated_texts_read_as_python_dotenv_reads_them() {
    const PIECES: &[&str] = &[
        "A", "b_2", "export", "export ", " ", "\t", "=", "==", "'", "\"", "\\", "\\'", "\\\"",
        "\\n", "\\t", "\\\\", "#", " #", "# c", "\n", "\r\n", "\r", "$HOME", "${X}", "x y", "é",
        "☃", "\u{a0}", "\u{1f}", "KEY", "val", "1",
    ];
    let seed = peer_seed();
    let mut rng = SplitMix64::new(seed);
    let texts: Vec<String> = (0..3000)
        .map(|_| {
            let n = 1 + rng.below_usize(14);
            (0..n)
                .map(|_| PIECES[rng.below_usize(PIECES.len())])
                .collect()
        })
        .collect();
    let refused = compare(&texts);
    println!(
        "seed {seed}: {refused} of {} texts refused by both",
        texts.len()
    );
    assert!(refused > 0 && refused < texts.len());
}

proptest::proptest! {
    /// Arbitrary text never panics the reader, and what it reads has
    /// non-empty keys.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}|[ -~\\n\\r\\t'\"\\\\#=]{0,300}") {
        if let Ok(entries) = dotenv::parse(&text) {
            for e in entries {
                proptest::prop_assert!(!e.key.is_empty());
            }
        }
    }
}
