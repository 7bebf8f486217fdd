//! Diceware passphrases from the EFF large word list.

use core::fmt;

use zeroize::Zeroizing;

use crate::os::ByteSource;
use crate::{Error, MIN_ENTROPY_BITS, Result};

/// The EFF large word list (7776 words, CC BY 3.0 US, © 2016 Electronic
/// Frontier Foundation; see `data/EFF-WORDLIST-NOTICE.txt`), one
/// `DDDDD<TAB>word` line per word.
const EFF_LARGE_WORDLIST: &str = include_str!("../data/eff_large_wordlist.txt");

/// Number of words in the list (6⁵).
pub const WORDLIST_LEN: usize = 7776;
/// Default number of words: 6 (77.5 bits).
pub const DEFAULT_WORDS: usize = 6;
/// Most words a passphrase may have.
pub const MAX_WORDS: usize = 64;

/// The EFF large word list, in dice order (parsed once, on first use).
///
/// # Example
/// ```
/// let words = hx_random::eff_wordlist();
/// assert_eq!(words.len(), 7776);
/// assert_eq!(words[0], "abacus");
/// ```
#[must_use]
pub fn eff_wordlist() -> &'static [&'static str] {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        EFF_LARGE_WORDLIST
            .lines()
            .filter_map(|line| line.split_once('\t').map(|(_, word)| word))
            .collect()
    })
}

/// A passphrase of words drawn uniformly and independently from the EFF large
/// word list. Zeroized on drop; `Debug` redacted.
///
/// Each word adds log2(7776) ≈ 12.92 bits. No word in the list is a prefix of
/// another, so even an empty separator keeps the entropy.
///
/// # Example
/// ```
/// use hx_random::Passphrase;
/// let p = Passphrase::generate(6, "-")?;
/// assert_eq!(p.expose_secret().split('-').count(), 6);
/// assert!((p.entropy_bits() - 77.55).abs() < 0.01);
/// assert!(Passphrase::generate(4, "-").is_err()); // 51.7 bits: too weak
/// # Ok::<(), hx_random::Error>(())
/// ```
pub struct Passphrase {
    text: Zeroizing<String>,
    entropy_bits: f64,
}

impl Passphrase {
    /// `words` words joined by `separator`.
    ///
    /// # Errors
    /// [`Error::WeakPolicy`] below [`MIN_ENTROPY_BITS`] (fewer than 5 words),
    /// [`Error::InvalidLength`] above [`MAX_WORDS`], [`Error::InvalidCharacters`]
    /// for a separator that is longer than 8 bytes or holds letters or
    /// control characters, [`Error::OsRandom`] if the OS generator fails.
    pub fn generate(words: usize, separator: &str) -> Result<Self> {
        crate::error::check_len("number of words", words, 1, MAX_WORDS)?;
        if separator.len() > 8
            || separator
                .chars()
                .any(|c| c.is_alphabetic() || c.is_control())
        {
            return Err(Error::InvalidCharacters(
                "separator must be at most 8 bytes without letters or control characters",
            ));
        }
        let entropy_bits = Self::entropy_for(words);
        if entropy_bits < MIN_ENTROPY_BITS {
            return Err(Error::WeakPolicy {
                bits: entropy_bits,
                min_bits: MIN_ENTROPY_BITS,
            });
        }
        let list = eff_wordlist();
        let mut source = ByteSource::with_hint(3 * words);
        let mut text = Zeroizing::new(String::with_capacity(words * 10));
        for i in 0..words {
            if i > 0 {
                text.push_str(separator);
            }
            let index = source.below_65536(list.len())?;
            text.push_str(list.get(index).copied().unwrap_or_default());
        }
        Ok(Self { text, entropy_bits })
    }

    /// Entropy of a `words`-word passphrase in bits.
    #[must_use]
    pub fn entropy_for(words: usize) -> f64 {
        #[allow(clippy::cast_precision_loss)] // at most MAX_WORDS
        let words = words as f64;
        #[allow(clippy::cast_precision_loss)]
        let list = WORDLIST_LEN as f64;
        words * list.log2()
    }

    /// The passphrase. Secret.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// Its entropy in bits.
    #[must_use]
    pub fn entropy_bits(&self) -> f64 {
        self.entropy_bits
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Passphrase([REDACTED], {:.1} bits)", self.entropy_bits)
    }
}
