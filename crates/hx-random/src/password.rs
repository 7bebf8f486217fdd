//! Passwords drawn uniformly from every string a policy allows, with the
//! exact entropy reported.

use core::fmt;

use zeroize::Zeroizing;

use crate::os::ByteSource;
use crate::{Error, MIN_ENTROPY_BITS, Result};

/// Default symbol set: ASCII punctuation without quotes, backslash, backtick
/// and space, so passwords paste safely into shells, URLs and config files.
pub const DEFAULT_SYMBOLS: &str = "!#$%&()*+,-./:;<=>?@[]^_{|}~";
/// Characters dropped by [`PasswordPolicy::exclude_ambiguous`]: they look
/// alike in many fonts.
pub const AMBIGUOUS: &str = "Il1O0o|";
/// Longest password a policy may ask for.
pub const MAX_PASSWORD_LEN: usize = 256;
/// Default password length: 20 characters (about 130 bits with all classes).
pub const DEFAULT_PASSWORD_LEN: usize = 20;

/// Policies are refused if fewer than this fraction of uniformly random strings
/// over the alphabet satisfy them: sampling would be slow, and such policies
/// are almost always mistakes (length 16 with 8 digits and 8 symbols, say).
const MIN_ACCEPTANCE: f64 = 1e-6;

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";

/// Which characters a password may contain and how many of each class it must.
///
/// Generated passwords are uniformly distributed over *all* strings of the
/// given length over the allowed characters that meet every minimum (rejection
/// sampling from the OS generator), so the entropy is exactly
/// `log2(number of such strings)`, reported by [`PasswordPolicy::entropy_bits`].
///
/// # Example
/// ```
/// use hx_random::PasswordPolicy;
/// let policy = PasswordPolicy::new(16).min_digits(2).exclude_ambiguous(true);
/// let pw = policy.generate()?;
/// assert_eq!(pw.expose_secret().chars().count(), 16);
/// assert!(pw.expose_secret().chars().filter(char::is_ascii_digit).count() >= 2);
/// assert!(pw.entropy_bits() > 90.0);
/// # Ok::<(), hx_random::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PasswordPolicy {
    length: usize,
    /// Minimum count per class; `None` excludes the class.
    min_lower: Option<usize>,
    min_upper: Option<usize>,
    min_digits: Option<usize>,
    min_symbols: Option<usize>,
    symbols: String,
    exclude_ambiguous: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self::new(DEFAULT_PASSWORD_LEN)
    }
}

impl PasswordPolicy {
    /// `length` characters with at least one lowercase letter, uppercase
    /// letter, digit and symbol from [`DEFAULT_SYMBOLS`].
    #[must_use]
    pub fn new(length: usize) -> Self {
        Self {
            length,
            min_lower: Some(1),
            min_upper: Some(1),
            min_digits: Some(1),
            min_symbols: Some(1),
            symbols: DEFAULT_SYMBOLS.to_owned(),
            exclude_ambiguous: false,
        }
    }

    /// At least `n` lowercase letters (0 allows them without requiring any).
    #[must_use]
    pub fn min_lowercase(mut self, n: usize) -> Self {
        self.min_lower = Some(n);
        self
    }

    /// At least `n` uppercase letters.
    #[must_use]
    pub fn min_uppercase(mut self, n: usize) -> Self {
        self.min_upper = Some(n);
        self
    }

    /// At least `n` digits.
    #[must_use]
    pub fn min_digits(mut self, n: usize) -> Self {
        self.min_digits = Some(n);
        self
    }

    /// At least `n` symbols.
    #[must_use]
    pub fn min_symbols(mut self, n: usize) -> Self {
        self.min_symbols = Some(n);
        self
    }

    /// No lowercase letters at all.
    #[must_use]
    pub fn without_lowercase(mut self) -> Self {
        self.min_lower = None;
        self
    }

    /// No uppercase letters at all.
    #[must_use]
    pub fn without_uppercase(mut self) -> Self {
        self.min_upper = None;
        self
    }

    /// No digits at all.
    #[must_use]
    pub fn without_digits(mut self) -> Self {
        self.min_digits = None;
        self
    }

    /// No symbols at all.
    #[must_use]
    pub fn without_symbols(mut self) -> Self {
        self.min_symbols = None;
        self
    }

    /// Replaces the symbol set (printable ASCII punctuation, no duplicates).
    #[must_use]
    pub fn symbols(mut self, set: &str) -> Self {
        set.clone_into(&mut self.symbols);
        self
    }

    /// Drops look-alike characters ([`AMBIGUOUS`]).
    #[must_use]
    pub fn exclude_ambiguous(mut self, yes: bool) -> Self {
        self.exclude_ambiguous = yes;
        self
    }

    /// The password length.
    #[must_use]
    pub fn length(&self) -> usize {
        self.length
    }

    /// Entropy of a generated password in bits: `log2` of the number of
    /// strings the policy allows.
    ///
    /// # Errors
    /// As [`PasswordPolicy::generate`].
    pub fn entropy_bits(&self) -> Result<f64> {
        Ok(self.compile()?.entropy_bits)
    }

    /// Generates a password.
    ///
    /// # Errors
    /// - [`Error::InvalidLength`] for a length of 0 or above [`MAX_PASSWORD_LEN`];
    /// - [`Error::InvalidCharacters`] for a bad symbol set;
    /// - [`Error::ImpossiblePolicy`] when no class is enabled, the minimums add
    ///   up to more than the length, or the policy is so constrained that
    ///   fewer than 1 in a million random strings meet it;
    /// - [`Error::WeakPolicy`] below [`MIN_ENTROPY_BITS`];
    /// - [`Error::OsRandom`] if the OS generator fails.
    pub fn generate(&self) -> Result<Password> {
        self.sample(&self.compile()?)
    }

    fn sample(&self, compiled: &Compiled) -> Result<Password> {
        let alphabet = &compiled.alphabet;
        let mut source = ByteSource::with_hint(2 * self.length);
        let mut out = Zeroizing::new(Vec::with_capacity(self.length));
        // Expected tries are 1 / acceptance <= 10^6; this bound is only reached
        // with probability e^-60.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // in 60..=1e8
        let max_tries = (60.0 / compiled.acceptance).ceil().min(1e8) as u64;
        for _ in 0..max_tries {
            out.clear();
            let mut counts = [0usize; 4];
            for _ in 0..self.length {
                let i = source.below_256(alphabet.len())?;
                let (c, class) = alphabet.get(i).copied().unwrap_or((b'a', 0));
                out.push(c);
                if let Some(n) = counts.get_mut(class) {
                    *n += 1;
                }
            }
            if counts
                .iter()
                .zip(&compiled.minimums)
                .all(|(n, min)| n >= min)
            {
                let text = String::from_utf8(core::mem::take(&mut *out))
                    .map_err(|_| Error::InvalidCharacters("non-ASCII password"))?;
                return Ok(Password {
                    text: Zeroizing::new(text),
                    entropy_bits: compiled.entropy_bits,
                });
            }
        }
        Err(Error::ImpossiblePolicy(
            "no password met the policy in the allotted tries".into(),
        ))
    }

    fn compile(&self) -> Result<Compiled> {
        self.compile_with_floor(MIN_ENTROPY_BITS)
    }

    fn compile_with_floor(&self, min_bits: f64) -> Result<Compiled> {
        crate::error::check_len("password length", self.length, 1, MAX_PASSWORD_LEN)?;
        check_symbols(&self.symbols)?;
        let classes: [(Option<usize>, &str); 4] = [
            (self.min_lower, LOWER),
            (self.min_upper, UPPER),
            (self.min_digits, DIGITS),
            (self.min_symbols, self.symbols.as_str()),
        ];
        let mut alphabet = Vec::new();
        let mut sizes = [0usize; 4];
        let mut minimums = [0usize; 4];
        for (class, (min, chars)) in classes.iter().enumerate() {
            let Some(min) = *min else { continue };
            let allowed: Vec<u8> = chars
                .bytes()
                .filter(|c| !(self.exclude_ambiguous && AMBIGUOUS.as_bytes().contains(c)))
                .collect();
            if allowed.is_empty() && min > 0 {
                return Err(Error::ImpossiblePolicy(format!(
                    "class {} requires {min} characters but has none to choose from",
                    CLASS_NAMES.get(class).unwrap_or(&"?")
                )));
            }
            if let (Some(size), Some(m)) = (sizes.get_mut(class), minimums.get_mut(class)) {
                *size = allowed.len();
                *m = min;
            }
            alphabet.extend(allowed.into_iter().map(|c| (c, class)));
        }
        if alphabet.is_empty() {
            return Err(Error::ImpossiblePolicy(
                "no character class is enabled".into(),
            ));
        }
        let required: usize = minimums.iter().sum();
        if required > self.length {
            return Err(Error::ImpossiblePolicy(format!(
                "the minimums add up to {required} characters but the length is {}",
                self.length
            )));
        }
        let ln_count = ln_count_satisfying(self.length, &sizes, &minimums);
        let entropy_bits = ln_count / core::f64::consts::LN_2;
        #[allow(clippy::cast_precision_loss)] // lengths are at most 256
        let ln_all = self.length as f64 * (alphabet.len() as f64).ln();
        let acceptance = (ln_count - ln_all).exp();
        if entropy_bits < min_bits {
            return Err(Error::WeakPolicy {
                bits: entropy_bits,
                min_bits,
            });
        }
        if acceptance < MIN_ACCEPTANCE {
            return Err(Error::ImpossiblePolicy(format!(
                "too constrained: only {:.2e} of random strings meet the minimums; \
                 lengthen the password or lower the minimums",
                acceptance
            )));
        }
        Ok(Compiled {
            alphabet,
            minimums,
            entropy_bits,
            acceptance,
        })
    }
}

const CLASS_NAMES: [&str; 4] = ["lowercase", "uppercase", "digits", "symbols"];

struct Compiled {
    alphabet: Vec<(u8, usize)>,
    minimums: [usize; 4],
    entropy_bits: f64,
    acceptance: f64,
}

fn check_symbols(set: &str) -> Result<()> {
    if !set.bytes().all(|b| b.is_ascii_punctuation()) {
        return Err(Error::InvalidCharacters(
            "symbols must be printable ASCII punctuation (no letters, digits, spaces)",
        ));
    }
    let mut seen = [false; 128];
    for b in set.bytes() {
        match seen.get_mut(usize::from(b)) {
            Some(s) if !*s => *s = true,
            _ => return Err(Error::InvalidCharacters("symbol set has a duplicate")),
        }
    }
    Ok(())
}

/// Natural log of the number of strings of `length` characters where class
/// `j` has `sizes[j]` characters and appears at least `minimums[j]` times:
///
/// `length! · [x^length] Π_j Σ_{c ≥ min_j} (sizes_j · x)^c / c!`
///
/// computed with log-sum-exp so it neither overflows nor loses precision.
fn ln_count_satisfying(length: usize, sizes: &[usize; 4], minimums: &[usize; 4]) -> f64 {
    let ln_fact: Vec<f64> = core::iter::once(0.0)
        .chain((1..=length).scan(0.0, |acc, k| {
            #[allow(clippy::cast_precision_loss)]
            let k = k as f64;
            *acc += k.ln();
            Some(*acc)
        }))
        .collect();
    let lf = |k: usize| ln_fact.get(k).copied().unwrap_or(f64::INFINITY);
    // poly[t] = ln of the coefficient of x^t; NEG_INFINITY for zero.
    let mut poly = vec![f64::NEG_INFINITY; length + 1];
    if let Some(p0) = poly.first_mut() {
        *p0 = 0.0;
    }
    for (&size, &min) in sizes.iter().zip(minimums) {
        if size == 0 {
            continue; // class disabled (or empty with minimum 0)
        }
        #[allow(clippy::cast_precision_loss)]
        let ln_s = (size as f64).ln();
        let mut next = vec![f64::NEG_INFINITY; length + 1];
        for (t, slot) in next.iter_mut().enumerate() {
            let terms = (min..=t).filter_map(|c| {
                let prev = poly.get(t - c).copied()?;
                #[allow(clippy::cast_precision_loss)]
                let term = prev + c as f64 * ln_s - lf(c);
                term.is_finite().then_some(term)
            });
            *slot = log_sum_exp(terms);
        }
        poly = next;
    }
    lf(length) + poly.get(length).copied().unwrap_or(f64::NEG_INFINITY)
}

fn log_sum_exp(terms: impl Iterator<Item = f64> + Clone) -> f64 {
    let max = terms.clone().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + terms.map(|t| (t - max).exp()).sum::<f64>().ln()
}

/// A generated password. Zeroized on drop; `Debug` redacted.
pub struct Password {
    text: Zeroizing<String>,
    entropy_bits: f64,
}

impl Password {
    /// The password. Secret.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// The entropy of the policy it was drawn from, in bits.
    #[must_use]
    pub fn entropy_bits(&self) -> f64 {
        self.entropy_bits
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password([REDACTED], {:.1} bits)", self.entropy_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute-force count for tiny alphabets, to check the generating function.
    fn brute(length: u32, sizes: &[usize; 4], minimums: &[usize; 4]) -> f64 {
        let alphabet: Vec<usize> = sizes
            .iter()
            .enumerate()
            .flat_map(|(c, &n)| std::iter::repeat_n(c, n))
            .collect();
        let n = alphabet.len();
        let mut count = 0u64;
        for mut code in 0..n.pow(length) {
            let mut counts = [0usize; 4];
            for _ in 0..length {
                counts[alphabet[code % n]] += 1;
                code /= n;
            }
            if counts.iter().zip(minimums).all(|(c, m)| c >= m) {
                count += 1;
            }
        }
        count as f64
    }

    /// Below the entropy floor only so the space is small enough to count:
    /// 2 characters, one digit and one of "!#" in either order = 40 strings.
    #[test]
    fn samples_are_uniform_over_satisfying_strings() {
        let policy = PasswordPolicy::new(2)
            .without_lowercase()
            .without_uppercase()
            .min_digits(1)
            .symbols("!#")
            .min_symbols(1);
        let compiled = policy.compile_with_floor(0.0).unwrap();
        assert!((compiled.entropy_bits - 40f64.log2()).abs() < 1e-9);
        let mut counts = std::collections::HashMap::new();
        let draws = 40_000;
        for _ in 0..draws {
            let pw = policy.sample(&compiled).unwrap();
            *counts.entry(pw.expose_secret().to_owned()).or_insert(0u32) += 1;
        }
        assert_eq!(
            counts.len(),
            40,
            "every satisfying string appears, no other"
        );
        let expected = f64::from(draws) / 40.0;
        let chi2: f64 = counts
            .values()
            .map(|&c| (f64::from(c) - expected).powi(2) / expected)
            .sum();
        // 39 degrees of freedom: p < 1e-6 beyond about 95.
        assert!(chi2 < 95.0, "chi-square {chi2}");
    }

    #[test]
    fn counting_matches_brute_force() {
        for (len, sizes, mins) in [
            (4, [2, 2, 1, 0], [1, 1, 1, 0]),
            (5, [3, 2, 2, 1], [1, 1, 1, 1]),
            (6, [2, 3, 0, 2], [2, 0, 0, 2]),
            (3, [4, 0, 0, 0], [0, 0, 0, 0]),
            (5, [1, 1, 1, 1], [2, 1, 1, 1]),
        ] {
            let exact = brute(len, &sizes, &mins);
            let computed = ln_count_satisfying(len as usize, &sizes, &mins).exp();
            assert!(
                (computed - exact).abs() / exact < 1e-9,
                "{len} {sizes:?} {mins:?}: {computed} vs {exact}"
            );
        }
    }
}
