//! "Digests and MACs": `hx digest` (print and `--check`) and `hx hmac`.

use std::io::{BufRead, BufReader, Read as _};
use std::path::{Path, PathBuf};

use clap::Args;
use hx::digest::{Algorithm, Digest, HmacAlgorithm, HmacKey, hash_file, hash_reader};

use crate::failure::{CmdResult, Failure};
use crate::io::{print_line, read_secret_file};

#[derive(Args)]
pub struct DigestArgs {
    /// Algorithm (any case): sha256 (the default), sha384, sha512,
    /// sha3-256, sha3-384, sha3-512, blake2b (512-bit), blake2b-256,
    /// blake2s, blake3. With --check it is inferred when not given: from
    /// BSD-style lines, from the sums file's name (b2sums, SHA512SUMS, …)
    /// or from the digest's length.
    #[arg(short, long)]
    alg: Option<Algorithm>,
    /// Verify the lines of SUMS (`<hex>  <name>` as sha256sum writes them,
    /// or `ALG (name) = <hex>` as --tag does; `-`: standard input); exit 1
    /// if any differs or cannot be read.
    #[arg(short, long, value_name = "SUMS", conflicts_with_all = ["files", "tag"])]
    check: Option<PathBuf>,
    /// With --check: print nothing at all; the exit status says it.
    #[arg(long, requires = "check")]
    status: bool,
    /// With --check: skip files that do not exist instead of failing.
    #[arg(long, requires = "check")]
    ignore_missing: bool,
    /// Write BSD-style lines: `SHA256 (name) = <hex>`.
    #[arg(long)]
    tag: bool,
    /// Files to hash (`-` or none: standard input).
    files: Vec<PathBuf>,
}

/// How `--check` reports.
#[derive(Clone, Copy)]
struct CheckOptions {
    quiet: bool,
    status: bool,
    ignore_missing: bool,
}

pub fn digest(args: &DigestArgs) -> CmdResult {
    if let Some(sums) = &args.check {
        let options = CheckOptions {
            quiet: crate::progress::quiet() || args.status,
            status: args.status,
            ignore_missing: args.ignore_missing,
        };
        return check(args.alg, sums, options);
    }
    let alg = args.alg.unwrap_or(Algorithm::Sha256);
    let stdin = [PathBuf::from("-")];
    let files = if args.files.is_empty() {
        &stdin[..]
    } else {
        &args.files
    };
    let mut failed = false;
    for path in files {
        match hash_path(alg, path) {
            Ok(d) if args.tag => print_line(&tag_line(alg, &d, path))?,
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

/// The digest of a file or standard input, with a progress bar for long
/// ones on a terminal (otherwise the library's pipelined file reader).
fn hash_path(alg: Algorithm, path: &Path) -> Result<Digest, hx::digest::Error> {
    if path == Path::new("-") {
        return hash_reader(
            alg,
            crate::progress::Reader::new(std::io::stdin().lock(), None, "-"),
        );
    }
    let len = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    if !len.is_some_and(crate::progress::shown_for) {
        return hash_file(alg, path);
    }
    let with_path = |source| hx::digest::Error::Io {
        path: Some(path.to_owned()),
        source,
    };
    let file = std::fs::File::open(path).map_err(with_path)?;
    hash_reader(
        alg,
        crate::progress::Reader::new(file, len, &path.to_string_lossy()),
    )
    .map_err(|e| match e {
        hx::digest::Error::Io { source, .. } => with_path(source),
        other => other,
    })
}

/// A file name as sums lines spell it: `(true, escaped)` when it holds
/// `\`, a newline or a carriage return (the line then starts with `\`, as
/// sha256sum writes it), `(false, name)` otherwise.
fn line_name(path: &Path) -> (bool, String) {
    let name = path.to_string_lossy();
    if name.contains(['\\', '\n', '\r']) {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        (true, escaped)
    } else {
        (false, name.into_owned())
    }
}

/// `<hex>  <name>`, with sha256sum's escaping of names holding `\` or a newline.
fn sums_line(digest: &Digest, path: &Path) -> String {
    let (escaped, name) = line_name(path);
    let mark = if escaped { "\\" } else { "" };
    format!("{mark}{digest}  {name}")
}

/// The BSD tag of an algorithm, as coreutils' `--tag` writes it.
fn bsd_tag(alg: Algorithm) -> String {
    match alg {
        Algorithm::Blake2b512 => "BLAKE2b".to_owned(),
        Algorithm::Blake2b256 => "BLAKE2b-256".to_owned(),
        Algorithm::Blake2s256 => "BLAKE2s".to_owned(),
        other => other.name().to_ascii_uppercase(),
    }
}

/// `ALG (name) = <hex>`, with the same escaping as [`sums_line`].
fn tag_line(alg: Algorithm, digest: &Digest, path: &Path) -> String {
    let (escaped, name) = line_name(path);
    let mark = if escaped { "\\" } else { "" };
    format!("{mark}{} ({name}) = {digest}", bsd_tag(alg))
}

/// The algorithm a sums file's name suggests (`b2sums`, `SHA512SUMS`,
/// `files.sha3-256`, …), given the length of a digest in it.
fn alg_from_file_name(sums: &Path, hex_len: usize) -> Option<Algorithm> {
    let name = sums.file_name()?.to_string_lossy().to_ascii_lowercase();
    let by_len = |algs: &[Algorithm]| algs.iter().copied().find(|a| 2 * a.output_len() == hex_len);
    if name.contains("b2") || name.contains("blake2b") {
        by_len(&[Algorithm::Blake2b512, Algorithm::Blake2b256])
    } else if name.contains("blake2s") {
        by_len(&[Algorithm::Blake2s256])
    } else if name.contains("b3") || name.contains("blake3") {
        by_len(&[Algorithm::Blake3])
    } else if name.contains("sha3") {
        by_len(&[
            Algorithm::Sha3_256,
            Algorithm::Sha3_384,
            Algorithm::Sha3_512,
        ])
    } else {
        None
    }
}

/// The algorithm of a line whose algorithm nobody named: SHA-2 by length,
/// as sha256sum, sha384sum and sha512sum write them.
fn alg_from_len(hex_len: usize) -> Option<Algorithm> {
    [Algorithm::Sha256, Algorithm::Sha384, Algorithm::Sha512]
        .into_iter()
        .find(|a| 2 * a.output_len() == hex_len)
}

/// Parses one checksum line: `[\]<hex>  <name>`, `<hex> *<name>`, or the
/// BSD form `[\]ALG (<name>) = <hex>`. The algorithm is `alg` if given,
/// else the BSD tag's, else the one the sums file's name or the digest's
/// length says.
fn parse_any_line(
    line: &str,
    alg: Option<Algorithm>,
    sums: &Path,
) -> Option<(Algorithm, Digest, String)> {
    let (escaped, body) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    // A BSD line starts with an algorithm's tag; anything else (a GNU line
    // whose name holds " (" and ") = ") is read as a GNU line.
    if let Some((tag, rest)) = body.split_once(" (")
        && let Some((name, hex)) = rest.rsplit_once(") = ")
        && let Ok(tagged) = tag.parse::<Algorithm>()
    {
        if alg.is_some_and(|a| a != tagged) || name.is_empty() {
            return None;
        }
        let (digest, name) = digest_and_name(hex, name, escaped, tagged)?;
        return Some((tagged, digest, name));
    }
    let hex_len = body.split_once(' ')?.0.len();
    let alg = alg
        .or_else(|| alg_from_file_name(sums, hex_len))
        .or_else(|| alg_from_len(hex_len))?;
    let (digest, name) = parse_sums_line(line, alg)?;
    Some((alg, digest, name))
}

/// Parses one checksum line: `[\]<hex>  <name>` or `<hex> *<name>`.
fn parse_sums_line(line: &str, alg: Algorithm) -> Option<(Digest, String)> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, rest) = line.split_once(' ')?;
    let name = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
    if name.is_empty() {
        return None;
    }
    digest_and_name(hex, name, escaped, alg)
}

/// The digest (of `alg`'s length) and the file name (unescaped if the line
/// was) of a sums line, in either form.
fn digest_and_name(
    hex: &str,
    name: &str,
    escaped: bool,
    alg: Algorithm,
) -> Option<(Digest, String)> {
    if hex.len() != 2 * alg.output_len() {
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

/// The longest line read from a sums file: a digest, a path and escapes.
const MAX_SUMS_LINE: u64 = 64 * 1024;

fn check(alg: Option<Algorithm>, sums: &Path, options: CheckOptions) -> CmdResult {
    let input = crate::io::Input::open(sums)?;
    let mut reader = BufReader::new(input);
    let say = |line: String| -> CmdResult {
        if options.status {
            Ok(())
        } else {
            print_line(&line)
        }
    };
    let (mut checked, mut bad_lines, mut mismatched, mut unreadable) = (0, 0, 0, 0);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut reader)
            .take(MAX_SUMS_LINE)
            .read_until(b'\n', &mut line)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        if n == 0 {
            break;
        }
        if !line.ends_with(b"\n") && n as u64 == MAX_SUMS_LINE {
            return Err(Failure::Usage(format!(
                "{}: a line longer than {MAX_SUMS_LINE} bytes; not a checksum file",
                crate::io::display(sums)
            )));
        }
        // A line that is not UTF-8 is not a checksum line hx can name a
        // file from.
        let Ok(text) = std::str::from_utf8(&line) else {
            bad_lines += 1;
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        let Some((line_alg, expected, name)) = parse_any_line(text, alg, sums) else {
            bad_lines += 1;
            continue;
        };
        let path = Path::new(&name);
        if options.ignore_missing && !crate::io::is_stdio(path) && !path.exists() {
            continue;
        }
        checked += 1;
        match hash_path(line_alg, path) {
            Ok(actual) if actual == expected => {
                if !options.quiet {
                    say(format!("{name}: OK"))?;
                }
            }
            Ok(_) => {
                mismatched += 1;
                say(format!("{name}: FAILED"))?;
            }
            Err(e) => {
                unreadable += 1;
                if !options.status {
                    eprintln!("hx: {e}");
                }
                say(format!("{name}: FAILED open or read"))?;
            }
        }
    }
    let what = alg.map_or("checksum".to_owned(), |a| format!("{a} checksum"));
    if bad_lines > 0 && !options.status {
        eprintln!(
            "hx: {}: {bad_lines} line(s) are not {what} lines",
            crate::io::display(sums)
        );
    }
    if checked == 0 {
        // Nothing to check is a usage error; everything skipped as missing
        // is a failed check (as sha256sum --ignore-missing says).
        return Err(
            match (options.ignore_missing && bad_lines == 0, options.status) {
                (true, true) => Failure::Status(1),
                (true, false) => Failure::Rejected(format!(
                    "{}: no file was verified",
                    crate::io::display(sums)
                )),
                (false, _) => Failure::Usage(format!(
                    "{}: no properly formatted {what} lines found",
                    crate::io::display(sums)
                )),
            },
        );
    }
    if mismatched + unreadable > 0 {
        return Err(if options.status {
            Failure::Status(1)
        } else {
            Failure::Rejected(format!(
                "{mismatched} computed checksum(s) did NOT match, {unreadable} file(s) could not be read"
            ))
        });
    }
    Ok(())
}

#[derive(Args)]
pub struct HmacArgs {
    /// Hash (any case): sha256, sha384, sha512 or sha3-256.
    #[arg(short, long, default_value = "sha256")]
    alg: HmacAlgorithm,
    /// File holding the key (mode 0600).
    #[arg(short, long)]
    key_file: PathBuf,
    /// Instead of printing the MAC, compare it (in constant time) with
    /// this hex MAC: exit 0 if it matches, 1 if not.
    #[arg(long, value_name = "HEX")]
    verify: Option<String>,
    /// Input file (`-` or none: standard input).
    file: Option<PathBuf>,
}

pub fn hmac(args: &HmacArgs) -> CmdResult {
    let key_bytes = read_secret_file(&args.key_file)?;
    let key = HmacKey::new(args.alg, &key_bytes)?;
    // Checked before reading the input: a malformed expected MAC is a usage
    // error, not a mismatch.
    let expected = match &args.verify {
        Some(text) => {
            let bytes = hex::decode(text.trim())
                .map_err(|_| Failure::Usage("--verify takes the MAC in hexadecimal".into()))?;
            if bytes.len() != args.alg.output_len() {
                return Err(Failure::Usage(format!(
                    "--verify: an HMAC-{} is {} hex digits, not {}",
                    args.alg.name().to_ascii_uppercase(),
                    2 * args.alg.output_len(),
                    text.trim().len()
                )));
            }
            Some(bytes)
        }
        None => None,
    };
    let path = args.file.clone().unwrap_or_else(|| PathBuf::from("-"));
    let input = crate::io::Input::open(&path)?;
    let mut stream = key.start();
    std::io::copy(&mut BufReader::with_capacity(1 << 20, input), &mut stream)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    match expected {
        // HmacStream::verify compares in constant time.
        Some(expected) => stream
            .verify(&expected)
            .map_err(|_| Failure::Rejected("HMAC mismatch".into())),
        None => print_line(&stream.finalize().to_hex()),
    }
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

    proptest::proptest! {
        /// Any line parses to a result or to nothing, never a panic; and
        /// what `hx digest` writes (GNU or BSD form, any file name) reads
        /// back to the same algorithm, digest and name, with or without
        /// `--alg`.
        #[test]
        fn sums_lines_parse_safely_and_round_trip(
            junk in ".{0,200}",
            name in "[^\\u{0}]{1,40}",
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
            which in 0usize..Algorithm::ALL.len(),
        ) {
            let sums = Path::new("SUMS");
            let _ = parse_any_line(&junk, None, sums);
            let _ = parse_any_line(&junk, Some(Algorithm::Sha256), sums);
            let alg = Algorithm::ALL[which];
            let d = hx::digest::hash(alg, &data);
            let tagged = tag_line(alg, &d, Path::new(&name));
            proptest::prop_assert_eq!(
                parse_any_line(&tagged, None, sums),
                Some((alg, d.clone(), name.clone()))
            );
            let gnu = sums_line(&d, Path::new(&name));
            proptest::prop_assert_eq!(
                parse_any_line(&gnu, Some(alg), sums),
                Some((alg, d, name))
            );
        }
    }
}
