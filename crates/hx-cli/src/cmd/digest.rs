//! "Digests and MACs": `hx digest` (print and `--check`) and `hx hmac`.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use clap::Args;
use hx::digest::{Algorithm, Digest, HmacAlgorithm, HmacKey, hash_file, hash_reader};

use crate::failure::{CmdResult, Failure};
use crate::io::{print_line, read_secret_file};

#[derive(Args)]
pub struct DigestArgs {
    /// Algorithm: sha256, sha384, sha512, sha3-256, sha3-384, sha3-512,
    /// blake2b (512-bit), blake2b-256, blake2s, blake3.
    #[arg(long, default_value = "sha256")]
    alg: Algorithm,
    /// Verify the `<hex>  <name>` lines of SUMS instead; exit 1 if any differs.
    #[arg(long, value_name = "SUMS", conflicts_with = "files")]
    check: Option<PathBuf>,
    /// Files to hash (`-` or none: standard input).
    files: Vec<PathBuf>,
}

pub fn digest(args: &DigestArgs) -> CmdResult {
    if let Some(sums) = &args.check {
        return check(args.alg, sums);
    }
    let stdin = [PathBuf::from("-")];
    let files = if args.files.is_empty() {
        &stdin[..]
    } else {
        &args.files
    };
    let mut failed = false;
    for path in files {
        match hash_path(args.alg, path) {
            Ok(d) => print_line(&sums_line(&d, path))?,
            Err(e) => {
                eprintln!("hx: {e}");
                failed = true;
            }
        }
    }
    if failed {
        Err(Failure::Usage(String::new()))
    } else {
        Ok(())
    }
}

fn hash_path(alg: Algorithm, path: &Path) -> Result<Digest, hx::digest::Error> {
    if path == Path::new("-") {
        hash_reader(alg, std::io::stdin().lock())
    } else {
        hash_file(alg, path)
    }
}

/// `<hex>  <name>`, with sha256sum's escaping of names holding `\` or a newline.
fn sums_line(digest: &Digest, path: &Path) -> String {
    let name = path.to_string_lossy();
    if name.contains(['\\', '\n', '\r']) {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{digest}  {escaped}")
    } else {
        format!("{digest}  {name}")
    }
}

/// Parses one checksum line: `[\]<hex>  <name>` or `<hex> *<name>`.
fn parse_sums_line(line: &str, alg: Algorithm) -> Option<(Digest, String)> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, rest) = line.split_once(' ')?;
    let name = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
    if hex.len() != 2 * alg.output_len() || name.is_empty() {
        return None;
    }
    let digest = Digest::from_hex(hex).ok()?;
    let name = if escaped {
        unescape(name)?
    } else {
        name.to_owned()
    };
    Some((digest, name))
}

fn unescape(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                '\\' => out.push('\\'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn check(alg: Algorithm, sums: &Path) -> CmdResult {
    let file = File::open(sums).map_err(|e| Failure::Usage(format!("{}: {e}", sums.display())))?;
    let (mut checked, mut bad_lines, mut mismatched, mut unreadable) = (0, 0, 0, 0);
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| Failure::Usage(format!("{}: {e}", sums.display())))?;
        if line.trim().is_empty() {
            continue;
        }
        let Some((expected, name)) = parse_sums_line(&line, alg) else {
            bad_lines += 1;
            continue;
        };
        checked += 1;
        match hash_path(alg, Path::new(&name)) {
            Ok(actual) if actual == expected => print_line(&format!("{name}: OK"))?,
            Ok(_) => {
                mismatched += 1;
                print_line(&format!("{name}: FAILED"))?;
            }
            Err(e) => {
                unreadable += 1;
                eprintln!("hx: {e}");
                print_line(&format!("{name}: FAILED open or read"))?;
            }
        }
    }
    if bad_lines > 0 {
        eprintln!(
            "hx: {}: {bad_lines} line(s) are not {alg} checksum lines",
            sums.display()
        );
    }
    if checked == 0 {
        return Err(Failure::Usage(format!(
            "{}: no properly formatted {alg} checksum lines found",
            sums.display()
        )));
    }
    if mismatched + unreadable > 0 {
        return Err(Failure::Rejected(format!(
            "{mismatched} computed checksum(s) did NOT match, {unreadable} file(s) could not be read"
        )));
    }
    Ok(())
}

#[derive(Args)]
pub struct HmacArgs {
    /// Hash: sha256, sha384, sha512 or sha3-256.
    #[arg(long, default_value = "sha256")]
    alg: HmacAlgorithm,
    /// File holding the key.
    #[arg(long)]
    key_file: PathBuf,
    /// Input file (`-` or none: standard input).
    file: Option<PathBuf>,
}

pub fn hmac(args: &HmacArgs) -> CmdResult {
    let key_bytes = read_secret_file(&args.key_file)?;
    let key = HmacKey::new(args.alg, &key_bytes)?;
    let mut stream = key.start();
    let copied = match args.file.as_deref() {
        None => std::io::copy(&mut std::io::stdin().lock(), &mut stream),
        Some(path) if path == Path::new("-") => {
            std::io::copy(&mut std::io::stdin().lock(), &mut stream)
        }
        Some(path) => {
            let file =
                File::open(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
            std::io::copy(&mut BufReader::with_capacity(1 << 20, file), &mut stream)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
        }
    };
    copied.map_err(|e| Failure::Usage(e.to_string()))?;
    print_line(&stream.finalize().to_hex())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_lines_round_trip_with_escaping() {
        let d = hx::digest::hash(Algorithm::Sha256, b"x");
        for name in [
            "plain.txt",
            "with space",
            "back\\slash",
            "new\nline",
            "*star",
        ] {
            let line = sums_line(&d, Path::new(name));
            let (parsed, parsed_name) = parse_sums_line(&line, Algorithm::Sha256).unwrap();
            assert_eq!(parsed, d);
            assert_eq!(parsed_name, name);
        }
        assert!(parse_sums_line("abc  file", Algorithm::Sha256).is_none());
        assert!(parse_sums_line(&format!("{d} file"), Algorithm::Sha256).is_none());
        assert!(parse_sums_line(&format!("{d}  "), Algorithm::Sha256).is_none());
        assert!(parse_sums_line(&format!("{d}  f"), Algorithm::Sha512).is_none());
        assert_eq!(
            parse_sums_line(&format!("{d} *bin"), Algorithm::Sha256)
                .unwrap()
                .1,
            "bin"
        );
    }
}
