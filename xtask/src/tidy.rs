//! `cargo xtask tidy`: the repository rules the compiler does not check.
//!
//! Every crate under `crates/` opts into the workspace lints, forbids
//! `unsafe` at its root, and has a README with an example (for a library,
//! the README is the crate's documentation, so its example runs as a
//! doctest); no library or command code calls `.unwrap()` or `.expect(` —
//! clippy denies them already, this catches `#[allow]`s that would slip by.
//! Tests (`#[cfg(test)]` modules, `tests/`, `benches/`) are exempt.

use std::path::Path;

/// Every rule broken in the workspace at `root`, as `path: what` lines.
pub fn check(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(root.join("crates")) else {
        return vec!["crates/: not readable".to_owned()];
    };
    let mut crates: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    crates.sort();
    for dir in crates {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let read = |rel: &str| std::fs::read_to_string(dir.join(rel)).ok();
        let manifest = read("Cargo.toml").unwrap_or_default();
        if !opts_into_workspace_lints(&manifest) {
            problems.push(format!(
                "crates/{name}/Cargo.toml: no `[lints] workspace = true`"
            ));
        }
        let (root_file, library) = match read("src/lib.rs") {
            Some(text) => (text, true),
            None => (read("src/main.rs").unwrap_or_default(), false),
        };
        if !root_file.contains("#![forbid(unsafe_code)]") {
            problems.push(format!(
                "crates/{name}: the crate root lacks #![forbid(unsafe_code)]"
            ));
        }
        match read("README.md") {
            None => problems.push(format!("crates/{name}/README.md: missing")),
            Some(readme) => {
                if library {
                    if !root_file.contains(r#"#![doc = include_str!("../README.md")]"#) {
                        problems.push(format!(
                            "crates/{name}/src/lib.rs: the README is not the crate documentation, so its example never runs"
                        ));
                    }
                    if !has_rust_example(&readme) {
                        problems.push(format!("crates/{name}/README.md: no runnable Rust example"));
                    }
                } else if !readme.contains("```") {
                    problems.push(format!("crates/{name}/README.md: no example"));
                }
            }
        }
        for file in rust_files(&dir.join("src")) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let shown = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .display()
                .to_string();
            for (line, what) in panicking_calls(&text) {
                problems.push(format!("{shown}:{line}: {what} in non-test code"));
            }
        }
    }
    problems
}

/// `[lints]` followed by `workspace = true`.
fn opts_into_workspace_lints(manifest: &str) -> bool {
    let mut in_lints = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_lints = line == "[lints]";
        } else if in_lints && line.replace(' ', "") == "workspace=true" {
            return true;
        }
    }
    false
}

/// A fenced block that rustdoc runs: untagged or tagged `rust`, not
/// `ignore`, `no_run`, `text`, `sh`.
fn has_rust_example(readme: &str) -> bool {
    let mut in_block = false;
    for line in readme.lines() {
        let Some(tag) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        if in_block {
            in_block = false;
            continue;
        }
        in_block = true;
        let tags: Vec<&str> = tag
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if tags.iter().all(|t| *t == "rust" || *t == "should_panic") {
            return true;
        }
    }
    false
}

/// The `.rs` files under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `.unwrap()` and `.expect(` outside comments and `#[cfg(test)]` modules
/// (which rustfmt closes with a `}` in column 0), with 1-based line numbers.
fn panicking_calls(source: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    let mut in_test = false;
    for (i, line) in source.lines().enumerate() {
        if in_test {
            if line == "}" {
                in_test = false;
            }
            continue;
        }
        if line.starts_with("#[cfg(test)]") {
            in_test = true;
            continue;
        }
        let code = line.split("//").next().unwrap_or_default();
        if code.contains(".unwrap()") {
            found.push((i + 1, ".unwrap()"));
        }
        if code.contains(".expect(") {
            found.push((i + 1, ".expect("));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_is_tidy() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let problems = check(root);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn the_rules_catch_what_they_should() {
        assert!(opts_into_workspace_lints(
            "[package]\nname = \"a\"\n\n[lints]\nworkspace = true\n"
        ));
        assert!(!opts_into_workspace_lints(
            "[lints.rust]\nunsafe_code = \"forbid\"\n"
        ));
        assert!(!opts_into_workspace_lints(
            "[lints]\n[dependencies]\nworkspace = true\n"
        ));
        assert!(has_rust_example("x\n```\nlet a = 1;\n```\n"));
        assert!(has_rust_example("```rust\nlet a = 1;\n```\n"));
        assert!(!has_rust_example(
            "```sh\nhx tour\n```\n```ignore\nx\n```\n"
        ));
        let source = "fn a() { b.unwrap(); }\n// c.unwrap()\nfn d() { e.unwrap_or(1); f.expect(\"g\"); }\n#[cfg(test)]\nmod tests {\n    fn h() { i.unwrap(); }\n}\nfn j() { k.unwrap(); }\n";
        assert_eq!(
            panicking_calls(source),
            [(1, ".unwrap()"), (3, ".expect("), (8, ".unwrap()")]
        );
    }
}
