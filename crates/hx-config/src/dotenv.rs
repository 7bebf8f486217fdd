//! `.env` files, read as python-dotenv reads them, for `hx config import`.
//!
//! The grammar is python-dotenv 1.x's (`dotenv/parser.py`), rule for rule:
//! an optional `export`, a key (unquoted, or in single quotes), `=`, a value
//! in single quotes (escapes `\\` and `\'`), double quotes (escapes `\\`,
//! `\'`, `\"`, `\a`, `\b`, `\f`, `\n`, `\r`, `\t`, `\v`; both kinds of quote
//! span lines) or unquoted (to the end of the line, a ` #` comment and
//! trailing whitespace removed), then an optional comment. The well-kept
//! Rust parser, dotenvy 0.15, was measured against python-dotenv and
//! disagrees on escapes in quotes, leading spaces, keys without a value and
//! backslashes, so it is not used.
//!
//! Line ends are `\n`, `\r\n` or `\r` (python-dotenv reads files in text
//! mode). dotenvx follows the npm `dotenv` grammar instead, which differs
//! in details (an unquoted `#` ends a value there, backtick quotes).
//!
//! Two decisions differ from python-dotenv, both towards refusing:
//! - a statement python-dotenv cannot parse (it warns and skips it) is an
//!   error naming its line: an import never drops a value silently;
//! - no variable expansion: `${HOME}` stays as written, as with
//!   python-dotenv's `interpolate=False`, so that what is imported does not
//!   depend on the environment of whoever imports it.

use crate::error::{Error, Result};

/// One `KEY=value` statement; `value` is `None` for a bare `KEY` line
/// (python-dotenv's "declared without a value").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key, as written.
    pub key: String,
    /// The value, unescaped; `None` for a bare `KEY`.
    pub value: Option<String>,
    /// The 1-based line the statement starts on.
    pub line: usize,
}

/// Python's `\s` (Unicode `str.isspace`): Rust's whitespace and the four
/// information separators U+001C to U+001F.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Whitespace other than line ends (`[^\S\r\n]`).
fn is_blank(c: char) -> bool {
    is_space(c) && c != '\r' && c != '\n'
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
    line: usize,
    /// Where the statement being read starts (after blank lines).
    statement_line: usize,
}

/// A statement that does not parse: the line it starts on.
struct Unparsable;

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Moves past `len` bytes, counting line ends as Python's `_newline`
    /// does (`\r\n`, `\n` or `\r` each one line).
    fn advance(&mut self, len: usize) {
        let taken = &self.text[self.at..self.at + len];
        let mut chars = taken.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    self.line += 1;
                }
                '\n' => self.line += 1,
                _ => {}
            }
        }
        self.at += len;
    }

    /// Moves past the longest prefix of characters satisfying `keep`.
    fn skip_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let rest = self.rest();
        let len = rest.find(|c| !keep(c)).unwrap_or(rest.len());
        self.advance(len);
        &rest[..len]
    }

    /// A quoted value as python-dotenv's regex `'((?:\\'|[^'])*)'` (and
    /// its double-quoted twin) matches it: greedily over characters and
    /// backslash-quote pairs up to the first bare quote; if there is none,
    /// the regex backtracks to the quote of the last pair.
    fn quoted(&mut self, quote: char) -> std::result::Result<&'a str, Unparsable> {
        let rest = self.rest();
        let body = rest.strip_prefix(quote).ok_or(Unparsable)?;
        let mut last_pair_quote = None;
        let mut chars = body.char_indices().peekable();
        let mut close = None;
        while let Some((i, c)) = chars.next() {
            if c == '\\' && chars.peek().map(|&(_, n)| n) == Some(quote) {
                let (j, _) = chars.next().ok_or(Unparsable)?;
                last_pair_quote = Some(j);
            } else if c == quote {
                close = Some(i);
                break;
            }
        }
        let end = close.or(last_pair_quote).ok_or(Unparsable)?;
        self.advance(quote.len_utf8() + end + quote.len_utf8());
        Ok(&body[..end])
    }

    /// A single-quoted key, `'([^']+)'`: no escapes.
    fn quoted_key(&mut self) -> std::result::Result<&'a str, Unparsable> {
        let body = self.rest().strip_prefix('\'').ok_or(Unparsable)?;
        let end = body.find('\'').filter(|&e| e > 0).ok_or(Unparsable)?;
        self.advance(1 + end + 1);
        Ok(&body[..end])
    }

    fn statement(&mut self) -> std::result::Result<Option<Entry>, Unparsable> {
        self.skip_while(is_space);
        self.statement_line = self.line;
        if self.rest().is_empty() {
            return Ok(None);
        }
        // `export` and at least one blank
        if let Some(after) = self.rest().strip_prefix("export")
            && after.starts_with(is_blank)
        {
            self.advance("export".len());
            self.skip_while(is_blank);
        }
        let line = self.line;
        let key = match self.peek() {
            Some('#') => {
                // a comment line: the rest of it
                self.skip_while(|c| c != '\r' && c != '\n');
                self.end_of_line()?;
                return Ok(None);
            }
            Some('\'') => self.quoted_key()?,
            _ => {
                let key = self.skip_while(|c| c != '=' && c != '#' && !is_space(c));
                if key.is_empty() {
                    return Err(Unparsable);
                }
                key
            }
        };
        self.skip_while(is_blank);
        let value = if self.peek() == Some('=') {
            self.advance(1);
            self.skip_while(is_blank);
            Some(self.value()?)
        } else {
            None
        };
        // an optional comment, then the end of the line
        let before = self.at;
        self.skip_while(is_blank);
        if self.peek() == Some('#') {
            self.skip_while(|c| c != '\r' && c != '\n');
        } else {
            self.at = before;
        }
        self.end_of_line()?;
        Ok(Some(Entry {
            key: key.to_owned(),
            value,
            line,
        }))
    }

    fn value(&mut self) -> std::result::Result<String, Unparsable> {
        match self.peek() {
            Some('\'') => Ok(unescape(self.quoted('\'')?, &['\\', '\''])),
            Some('"') => Ok(unescape(
                self.quoted('"')?,
                &['\\', '\'', '"', 'a', 'b', 'f', 'n', 'r', 't', 'v'],
            )),
            None | Some('\r' | '\n') => Ok(String::new()),
            Some(_) => {
                let part = self.skip_while(|c| c != '\r' && c != '\n');
                Ok(strip_comment(part).trim_end_matches(is_space).to_owned())
            }
        }
    }

    /// Blanks, then a line end or the end of the text.
    fn end_of_line(&mut self) -> std::result::Result<(), Unparsable> {
        self.skip_while(is_blank);
        let rest = self.rest();
        let len = if rest.starts_with("\r\n") {
            2
        } else if rest.starts_with(['\r', '\n']) || rest.is_empty() {
            usize::from(!rest.is_empty())
        } else {
            return Err(Unparsable);
        };
        self.advance(len);
        Ok(())
    }
}

/// An unquoted value without its comment: python-dotenv's
/// `re.sub(r"\s+#.*", "", part)` removes from the first whitespace run
/// followed by `#`.
fn strip_comment(part: &str) -> &str {
    let mut in_space_from = None;
    for (i, c) in part.char_indices() {
        if is_space(c) {
            in_space_from.get_or_insert(i);
        } else if c == '#' && in_space_from.is_some() {
            return &part[..in_space_from.unwrap_or(i)];
        } else {
            in_space_from = None;
        }
    }
    part
}

/// Decodes `\x` for each `x` in `known`, as python-dotenv's
/// `unicode-escape` of the matched pairs; other backslashes stay.
fn unescape(text: &str, known: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && known.contains(&next)
        {
            chars.next();
            out.push(match next {
                'a' => '\u{7}',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\u{b}',
                other => other,
            });
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses a `.env` file's text into its statements, in order (a key given
/// twice appears twice; the later one is what python-dotenv keeps).
///
/// # Errors
/// [`Error::Import`] naming the line of the first statement that does not
/// parse (an unterminated quote, text after a closing quote, …); never its
/// text, which may hold a secret.
///
/// # Example
/// ```
/// let entries = hx_config::dotenv::parse("export A=1 # one\nB='two words'\nC=\"x\\ny\"\n")?;
/// let pairs: Vec<(&str, Option<&str>)> =
///     entries.iter().map(|e| (e.key.as_str(), e.value.as_deref())).collect();
/// assert_eq!(pairs, [("A", Some("1")), ("B", Some("two words")), ("C", Some("x\ny"))]);
/// assert!(hx_config::dotenv::parse("A=\"unterminated\nB=2\n").is_err());
/// # Ok::<(), hx_config::Error>(())
/// ```
pub fn parse(text: &str) -> Result<Vec<Entry>> {
    // python-dotenv reads files in text mode: `\r\n` and `\r` are `\n`
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = Reader {
        text: &text,
        at: 0,
        line: 1,
        statement_line: 1,
    };
    let mut entries = Vec::new();
    while !reader.rest().is_empty() {
        match reader.statement() {
            Ok(Some(entry)) => entries.push(entry),
            Ok(None) => {}
            Err(Unparsable) => {
                return Err(Error::Import(format!(
                    "line {}: not a KEY=value statement python-dotenv would read",
                    reader.statement_line
                )));
            }
        }
    }
    Ok(entries)
}
