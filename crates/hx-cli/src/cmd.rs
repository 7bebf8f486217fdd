//! One module per part of the command contract (docs/CLI.md), and the
//! arguments they share.

pub mod aead;
pub mod age;
pub mod config;
pub mod digest;
pub mod kex;
pub mod password;
pub mod pickle;
pub mod random;
pub mod sign;
pub mod tour;

/// `-f, --force`: the one switch that lets a command replace an existing
/// output file.
#[derive(clap::Args, Clone, Copy)]
pub struct ForceArg {
    /// Replace an existing output file (by default an existing file, or a
    /// symbolic link, is never replaced).
    #[arg(short, long)]
    pub force: bool,
}

impl ForceArg {
    /// The replacement policy this switch asks for.
    pub fn replace(self) -> crate::io::Replace {
        crate::io::Replace::forced(self.force)
    }
}
