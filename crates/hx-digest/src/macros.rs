//! Small internal macros.

/// Implements `std::io::Write` for a streaming type by forwarding to its
/// `update`, so `std::io::copy` can feed it.
macro_rules! impl_write_via_update {
    ($ty:ty) => {
        impl std::io::Write for $ty {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.update(buf);
                Ok(buf.len())
            }

            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
    };
}

/// `Display` and `FromStr` (any case) for an algorithm enum with `name()`,
/// `ALL` and `NAMES`: its text form is its name.
macro_rules! named_algorithm {
    ($alg:ty) => {
        impl ::core::fmt::Display for $alg {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::core::str::FromStr for $alg {
            type Err = $crate::Error;

            fn from_str(s: &str) -> $crate::Result<Self> {
                Self::ALL
                    .into_iter()
                    .find(|alg| alg.name().eq_ignore_ascii_case(s))
                    .ok_or_else(|| $crate::Error::UnknownAlgorithm {
                        name: s.to_owned(),
                        valid: Self::NAMES,
                    })
            }
        }
    };
}
