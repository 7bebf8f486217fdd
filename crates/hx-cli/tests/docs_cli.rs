//! The walkthroughs in docs/ run as written: every ```sh block of
//! docs/CONFIG.md, in order, in one `bash -euo pipefail` session, in a fresh
//! directory with a fresh HOME and `hx` on PATH.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::Command;

/// The ```sh blocks of a Markdown document, in order.
fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "an unclosed ```sh block");
    blocks
}

#[test]
fn the_config_walkthrough_runs_as_written() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/CONFIG.md"))
        .unwrap();
    let blocks = sh_blocks(&doc);
    assert!(blocks.len() >= 5, "{} blocks", blocks.len());
    let work = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".gitconfig"),
        "[user]\n\tname = Doc Test\n\temail = doc@example.com\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_hx"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let script = blocks.join("\n");
    let o = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(work.path())
        .env("HOME", home.path())
        .env("PATH", path)
        .env_remove("HX_KEYRING")
        .env_remove("HX_IDENTITY")
        .env_remove("HX_MASTER_KEY_FILE")
        .env_remove("GIT_DIR")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "docs/CONFIG.md failed:\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Users have only the repository: no file in it points to the `shared`
/// folder the project was built from.
#[test]
fn nothing_points_outside_the_repository() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let needle = ["shared", "/"].concat();
    let mut stack = vec![root.to_path_buf()];
    let mut offenders = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().unwrap().is_dir() {
                if !matches!(name.as_str(), "target" | ".git" | "corpus" | "artifacts") {
                    stack.push(path);
                }
                continue;
            }
            let text_file = [".md", ".rs", ".toml", ".py", ".sh", ".txt"]
                .iter()
                .any(|ext| name.ends_with(ext))
                || name == "run";
            if text_file
                && let Ok(text) = std::fs::read_to_string(&path)
                && text.contains(&needle)
            {
                offenders.push(path.display().to_string());
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}
