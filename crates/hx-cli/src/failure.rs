//! How a command fails: a message for stderr and an exit status.

use std::process::ExitCode;

/// Why a command did not succeed. Messages never contain secret material.
#[derive(Debug)]
pub enum Failure {
    /// The check failed or the input was rejected: exit 1.
    Rejected(String),
    /// Usage or I/O error: exit 2.
    Usage(String),
    /// Exit with this status and no message (`hx config exec` passes on
    /// its child's status).
    Status(u8),
}

impl Failure {
    /// Prints the message (if any) to stderr and returns the exit status.
    pub fn report(self) -> ExitCode {
        let (message, code) = match self {
            Self::Rejected(m) => (m, 1),
            Self::Usage(m) => (m, 2),
            Self::Status(code) => (String::new(), code),
        };
        if !message.is_empty() {
            eprintln!("hx: {message}");
        }
        ExitCode::from(code)
    }
}

/// Library configuration errors (bad sizes, policies, prefixes) are usage errors.
impl From<hx::random::Error> for Failure {
    fn from(e: hx::random::Error) -> Self {
        Self::Usage(e.to_string())
    }
}

impl From<hx::digest::Error> for Failure {
    fn from(e: hx::digest::Error) -> Self {
        Self::Usage(e.to_string())
    }
}

pub type CmdResult = Result<(), Failure>;
