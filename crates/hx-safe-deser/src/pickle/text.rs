//! The text literals of pickle protocol 0: decimal integers, floats, Python
//! 2 string literals (`escape_decode`) and raw-unicode-escape text.

use num_bigint::BigInt;

/// The longest decimal integer accepted, as Python's own
/// `sys.int_info.default_max_str_digits` (decimal conversion is quadratic).
pub(crate) const MAX_DECIMAL_DIGITS: usize = 4300;

/// A decimal integer literal as Python's pickler writes it: an optional
/// `-`, then `0` or digits without a leading zero.
///
/// CPython's two unpicklers read other spellings differently (the C one
/// reads `INT 010` as octal 8, Python's `int(x, 0)` refuses it; `-0` is
/// `False` to one and `0` to the other), so hx refuses them all: no
/// whitespace, `+`, underscores, base prefixes or leading zeros.
pub(crate) fn decimal(text: &[u8]) -> Option<BigInt> {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    let canonical = match digits {
        [b'0'] => digits.len() == text.len(),
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !canonical || digits.len() > MAX_DECIMAL_DIGITS {
        return None;
    }
    BigInt::parse_bytes(text, 10)
}

/// A float literal as Python's `float()` reads `repr()` output (`1.5`,
/// `1e+16`, `inf`, `-inf`, `nan`). Whitespace and underscores, which only
/// Python's unpickler accepts, are refused; so is a finite literal that
/// overflows (the C unpickler raises `OverflowError`).
pub(crate) fn float(text: &[u8]) -> Option<f64> {
    let text = core::str::from_utf8(text).ok()?;
    if text.len() > 64
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let x: f64 = text.parse().ok()?;
    let named = text.bytes().any(|b| matches!(b, b'i' | b'I' | b'n' | b'N'));
    (x.is_finite() || named).then_some(x)
}

/// A quoted Python 2 `str` literal (the `STRING` opcode): quotes removed,
/// then `codecs.escape_decode`.
pub(crate) fn quoted_string(line: &[u8]) -> Option<Vec<u8>> {
    let (&first, rest) = line.split_first()?;
    let (&last, inner) = rest.split_last()?;
    if first != last || !matches!(first, b'\'' | b'"') {
        return None;
    }
    escape_decode(inner)
}

fn hex_value(b: u8) -> Option<u32> {
    char::from(b).to_digit(16)
}

/// Python's `codecs.escape_decode`: backslash escapes of a bytes literal.
fn escape_decode(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let &e = input.get(i)?;
        i += 1;
        match e {
            b'\n' => {}
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                for _ in 0..2 {
                    match input.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                // Python keeps the low byte of an octal escape over 0o377.
                out.push(value.to_le_bytes()[0]);
            }
            b'x' => {
                let hi = hex_value(*input.get(i)?)?;
                let lo = hex_value(*input.get(i + 1)?)?;
                i += 2;
                out.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            other => {
                // Unknown escapes stay as written.
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Some(out)
}

/// Python's `raw_unicode_escape` decoding (the `UNICODE` opcode): bytes are
/// Latin-1 characters, except `\uXXXX` and `\UXXXXXXXX` after an odd run of
/// backslashes. `None` for a bad escape or a lone surrogate, which a Rust
/// `String` cannot hold.
pub(crate) fn raw_unicode_escape(input: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b != b'\\' {
            out.push(char::from(b));
            i += 1;
            continue;
        }
        let run = input[i..].iter().take_while(|&&c| c == b'\\').count();
        let after = input.get(i + run).copied();
        let digits = match after {
            Some(b'u') if run % 2 == 1 => 4,
            Some(b'U') if run % 2 == 1 => 8,
            _ => {
                out.extend(core::iter::repeat_n('\\', run));
                i += run;
                continue;
            }
        };
        out.extend(core::iter::repeat_n('\\', run - 1));
        let start = i + run + 1;
        let hex = input.get(start..start + digits)?;
        let mut code = 0u32;
        for &h in hex {
            code = code.checked_mul(16)? + hex_value(h)?;
        }
        out.push(char::from_u32(code)?);
        i = start + digits;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(decimal(b"-42"), Some(BigInt::from(-42)));
        assert_eq!(decimal(b"0"), Some(BigInt::from(0)));
        for odd in [
            &b"010"[..],
            b"-0",
            b"+1",
            b" 1",
            b"1 ",
            b"1_0",
            b"0x10",
            b"",
            b"-",
        ] {
            assert_eq!(decimal(odd), None, "{odd:?}");
        }
        assert_eq!(float(b"1.5"), Some(1.5));
        assert_eq!(float(b"-inf"), Some(f64::NEG_INFINITY));
        assert!(float(b"nan").is_some_and(f64::is_nan));
        for odd in [&b" 1.5"[..], b"1_0.5", b"1e999", b"1.5\t"] {
            assert_eq!(float(odd), None, "{odd:?}");
        }
        assert_eq!(decimal(b"12a"), None);
        assert_eq!(decimal(&[b'9'; 4301]), None);
        assert_eq!(float(b"1e+16"), Some(1e16));
        assert!(float(b"nan").is_some_and(f64::is_nan));
        assert_eq!(quoted_string(br"'a\x41\n\101\''"), Some(b"aA\nA'".to_vec()));
        assert_eq!(quoted_string(b"'unterminated"), None);
        assert_eq!(
            raw_unicode_escape(br"caf\u00e9 \U0001f600"),
            Some("café 😀".to_owned())
        );
        assert_eq!(raw_unicode_escape(br"\\u0041"), Some(r"\\u0041".to_owned()));
        assert_eq!(raw_unicode_escape(br"\ud800"), None);
        assert_eq!(raw_unicode_escape(b"\xe9"), Some("é".to_owned()));
    }
}
