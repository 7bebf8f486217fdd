//! Differential testing with CPython as the oracle: random opcode programs
//! from `tests/interop/pickle_diff.py`, each loaded by five CPython
//! unpicklers whose `find_class` only records what it is asked for, then
//! scanned and loaded by hx.
//!
//! A disagreement is any of:
//! - `scan` reports no problem, yet a global CPython resolved is not listed
//!   (by name, or as an unresolved `STACK_GLOBAL`);
//! - `scan` calls the pickle safe while CPython resolved a global outside
//!   the default allow-list;
//! - `load` succeeds while CPython resolved a global outside it;
//! - `load` succeeds with a value other than the one CPython built;
//! - scanning from memory and from a reader (one byte at a time) differ.
//!
//! `cargo xtask ci` runs a fixed-seed slice of 20,000 cases; `cargo xtask
//! pickle-diff --cases N [--seed S]` runs any number (release build).

use std::io::{BufReader, Read};
use std::process::{Command, Stdio};

use hx_safe_deser::pickle::{self, Constructor, LoadOptions, Verdict};
use serde_json::Value as Json;

use crate::pickle::{canonical, typed};

/// Reads 1 to 7 bytes at a time (varied by position), so that every
/// buffer boundary of the reader source is met.
struct Uneven<'a> {
    data: &'a [u8],
    turn: usize,
}

impl Read for Uneven<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.turn += 1;
        let n = (self.turn % 7 + 1).min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn read_u32(r: &mut impl Read) -> u32 {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)
        .expect("the oracle's stream ended early");
    u32::from_le_bytes(b)
}

fn read_block(r: &mut impl Read, len: u32) -> Vec<u8> {
    let mut v = vec![0u8; len as usize];
    r.read_exact(&mut v)
        .expect("the oracle's stream ended early");
    v
}

/// What one run found.
#[derive(Default, Debug)]
pub struct Summary {
    pub cases: u64,
    /// Cases where CPython resolved at least one global.
    pub with_globals: u64,
    /// Cases whose CPython loaders resolved different sets of globals
    /// (what frame tricks provoke).
    pub loaders_split: u64,
    /// Cases CPython loaded into plain data that hx also loaded.
    pub values_compared: u64,
    /// Cases hx's scan reported a problem for.
    pub scan_problems: u64,
    /// Globals CPython resolved that scan did not list, in cases scan
    /// refused as malformed (it stops where the pickle goes wrong for it).
    pub unlisted_in_refused: u64,
    /// Globals CPython resolved that scan listed by name.
    pub listed: u64,
    /// Cases hx loads that CPython's `bytesio` loader refuses (stricter
    /// CPython, not a safety issue; reported, not failed).
    pub load_only_hx: u64,
    pub disagreements: Vec<String>,
}

fn allowed_by_default(module: &str, name: &str) -> bool {
    Constructor::lookup(module, name).is_some_and(|c| LoadOptions::default().allows(c))
}

/// Runs `cases` cases of `seed` through the oracle and hx.
pub fn run(cases: u64, seed: u64) -> Summary {
    let py = hx_test_support::python();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/pickle_diff.py");
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(&py)
        .arg(script)
        .args(["--cases", &cases.to_string(), "--seed", &seed.to_string()])
        .arg("--tmpdir")
        .arg(tmp.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run the CPython oracle ({py}): {e}"));
    let mut out = BufReader::with_capacity(1 << 20, child.stdout.take().unwrap());
    let options = LoadOptions::default();
    let mut summary = Summary::default();
    loop {
        let len = read_u32(&mut out);
        if len == u32::MAX {
            break;
        }
        let data = read_block(&mut out, len);
        let len = read_u32(&mut out);
        let meta: Json = serde_json::from_slice(&read_block(&mut out, len)).unwrap();
        let case = summary.cases;
        summary.cases += 1;
        check(case, seed, &data, &meta, &options, &mut summary);
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "the CPython oracle failed: {status}");
    assert_eq!(
        summary.cases, cases,
        "the oracle sent fewer cases than asked"
    );
    summary
}

fn text(hex_text: &Json) -> Option<String> {
    String::from_utf8(hex::decode(hex_text.as_str()?).ok()?).ok()
}

fn check(case: u64, seed: u64, data: &[u8], meta: &Json, options: &LoadOptions, s: &mut Summary) {
    let mut disagree = |what: String| {
        if s.disagreements.len() < 50 {
            s.disagreements.push(format!(
                "case {case} (pickle_diff.py --seed {seed} --case {case}): {what}; pickle {}",
                hex::encode(&data[..data.len().min(400)])
            ));
        } else {
            s.disagreements.push(String::new());
        }
    };
    let globals: Vec<(Option<String>, Option<String>)> = meta["g"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| (text(&pair[0]), text(&pair[1])))
        .collect();
    if !globals.is_empty() {
        s.with_globals += 1;
    }
    let oks: Vec<bool> = meta["ok"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(Json::as_bool)
        .collect();
    if oks.iter().any(|&ok| ok) && !oks.iter().all(|&ok| ok) {
        s.loaders_split += 1;
    }

    let report = pickle::scan(data, options);
    let streamed = pickle::scan_reader(Uneven { data, turn: 0 }, options).unwrap();
    let listed = |r: &pickle::Report| -> Vec<(String, String, Verdict)> {
        r.globals
            .iter()
            .map(|f| (f.module.clone(), f.name.clone(), f.verdict))
            .collect()
    };
    if listed(&report) != listed(&streamed)
        || report.problem.is_some() != streamed.problem.is_some()
    {
        disagree(format!(
            "scan from memory {:?} / {:?} differs from scan from a reader {:?} / {:?}",
            listed(&report),
            report.problem,
            listed(&streamed),
            streamed.problem
        ));
    }
    if report.problem.is_some() {
        s.scan_problems += 1;
    }
    let unresolved = report
        .globals
        .iter()
        .any(|f| f.verdict == Verdict::Unresolved);
    for (module, name) in &globals {
        let found = match (module, name) {
            (Some(m), Some(n)) => report
                .globals
                .iter()
                .any(|f| &f.module == m && &f.name == n),
            _ => false,
        };
        let shown = format!("{module:?}.{name:?}");
        if found {
            s.listed += 1;
        } else if report.problem.is_some() {
            s.unlisted_in_refused += 1;
        } else if !unresolved {
            disagree(format!(
                "CPython resolved {shown}, which scan does not list"
            ));
        }
        let allowed = match (module, name) {
            (Some(m), Some(n)) => allowed_by_default(m, n),
            _ => false,
        };
        if !allowed && report.is_safe() {
            disagree(format!("scan calls it safe, CPython resolved {shown}"));
        }
    }

    let loaded = pickle::load(data, options);
    if let Ok(value) = &loaded {
        for (module, name) in &globals {
            let allowed = match (module, name) {
                (Some(m), Some(n)) => allowed_by_default(m, n),
                _ => false,
            };
            if !allowed {
                disagree(format!(
                    "load accepted the pickle, CPython resolved {module:?}.{name:?}"
                ));
            }
        }
        if !meta["v"].is_null() {
            s.values_compared += 1;
            if canonical(&typed(value)) != canonical(&meta["v"]) {
                disagree(format!("load gave {}, CPython {}", typed(value), meta["v"]));
            }
        } else if meta["ok"]["bytesio"] == Json::Bool(false) {
            s.load_only_hx += 1;
            if s.load_only_hx <= 3 {
                eprintln!(
                    "  loaded by hx only: case {case}: {} from {}",
                    value.to_json(),
                    hex::encode(&data[..data.len().min(200)])
                );
            }
        }
        // The JSON writer and the value tree agree.
        let json = pickle::load_json(data, options).unwrap();
        if json != value.to_json() {
            disagree(format!("load_json {json} != load's {}", value.to_json()));
        }
    }
}

pub fn report(summary: &Summary) {
    eprintln!(
        "pickle-diff: {} cases, {} with globals CPython resolved ({} of them listed by \
         name, {} unlisted in pickles scan refused), {} where CPython's loaders split, \
         {} values compared, {} refused by scan, {} loaded by hx only; {} disagreements",
        summary.cases,
        summary.with_globals,
        summary.listed,
        summary.unlisted_in_refused,
        summary.loaders_split,
        summary.values_compared,
        summary.scan_problems,
        summary.load_only_hx,
        summary.disagreements.len()
    );
    for d in summary
        .disagreements
        .iter()
        .filter(|d| !d.is_empty())
        .take(20)
    {
        eprintln!("  {d}");
    }
}

/// The slice `cargo xtask ci` runs: 20,000 cases of a fixed seed.
#[test]
fn scan_and_load_agree_with_cpython_on_20000_programs() {
    let summary = run(20_000, 20_261_201);
    report(&summary);
    // The generator reaches what it is for.
    assert!(summary.with_globals > 2_000, "{summary:?}");
    assert!(summary.loaders_split > 100, "{summary:?}");
    assert!(summary.values_compared > 500, "{summary:?}");
    assert!(summary.disagreements.is_empty());
}

/// `cargo xtask pickle-diff`: `HX_PICKLE_DIFF_CASES` cases of
/// `HX_PICKLE_DIFF_SEED`.
#[test]
#[ignore = "long: run by cargo xtask pickle-diff"]
fn pickle_diff_long() {
    let var = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let cases = var("HX_PICKLE_DIFF_CASES", 1_000_000);
    let seed = var("HX_PICKLE_DIFF_SEED", 1);
    let summary = run(cases, seed);
    report(&summary);
    assert!(summary.disagreements.is_empty());
}
