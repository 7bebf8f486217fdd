//! `hx pickle scan` and `hx pickle load` (hx-safe-deser): Python pickles
//! inspected and decoded without ever executing them.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hx::safe_deser::pickle::{self, LoadOptions, Verdict};
use hx::safe_deser::{Error, Limits};

use crate::failure::{CmdResult, Failure};
use crate::io;

#[derive(Subcommand)]
pub enum PickleCommand {
    /// List each global a pickle would import, with a verdict; exit 0 if
    /// none is outside the allow-list, 1 otherwise.
    Scan(ScanArgs),
    /// Decode a pickle without executing anything and print it as JSON
    /// (bytes as {"$bytes": "<base64>"}, tuples and sets as arrays, big
    /// ints as strings); exit 1 if it needs a global that is not allowed.
    Load(LoadArgs),
}

#[derive(Args)]
pub struct ScanArgs {
    /// Pickle files of any size (`-` for standard input).
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Also allow this global (`module.name`; one of hx's safe
    /// constructors, such as collections.OrderedDict or datetime.datetime).
    #[arg(long, value_name = "module.name")]
    allow: Vec<String>,
    /// One JSON object per file on standard output (file, safe, pickles,
    /// bytes, problem, globals with module, name, verdict, count, offset and
    /// opcode), for machines.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct LoadArgs {
    /// The pickle (`-` for standard input).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Also allow this global (`module.name`; one of hx's safe
    /// constructors: collections.OrderedDict, decimal.Decimal,
    /// datetime.datetime, datetime.date, datetime.time, datetime.timedelta,
    /// datetime.timezone).
    #[arg(long, value_name = "module.name")]
    allow: Vec<String>,
    /// The largest pickle accepted, in bytes.
    #[arg(long, value_name = "N", default_value_t = 64 << 20)]
    max_bytes: usize,
    /// The deepest nesting of containers accepted.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT_MAX_DEPTH)]
    max_depth: usize,
    /// The most JSON printed, in bytes, with objects the pickle shares
    /// counted each time they appear.
    #[arg(long, value_name = "N", default_value_t = LoadOptions::DEFAULT_MAX_OUTPUT)]
    max_output: usize,
}

pub fn pickle(command: PickleCommand) -> CmdResult {
    match command {
        PickleCommand::Scan(args) => scan(&args),
        PickleCommand::Load(args) => load(&args),
    }
}

fn options(allow: &[String]) -> Result<LoadOptions, Failure> {
    allow
        .iter()
        .try_fold(LoadOptions::default(), |options, global| {
            options.allow(global).map_err(|_| {
                Failure::Usage(format!(
                    "--allow {global}: hx has no safe constructor for it, so it cannot be allowed"
                ))
            })
        })
}

fn scan(args: &ScanArgs) -> CmdResult {
    let options = options(&args.allow)?;
    let mut unsafe_files = 0;
    for path in &args.files {
        let shown = path.display();
        let report = if path == Path::new("-") {
            pickle::scan_reader(std::io::stdin().lock(), &options)
        } else {
            let file =
                std::fs::File::open(path).map_err(|e| Failure::Usage(format!("{shown}: {e}")))?;
            pickle::scan_reader(file, &options)
        }
        .map_err(|e| Failure::Usage(format!("{shown}: {e}")))?;
        if args.json {
            io::print_line(&report_json(&shown.to_string(), &report))?;
        } else {
            for finding in &report.globals {
                let times = if finding.count > 1 {
                    format!(" x{}", finding.count)
                } else {
                    String::new()
                };
                io::print_line(&format!(
                    "{shown}: {} {}{times}",
                    finding.global(),
                    finding.verdict
                ))?;
            }
        }
        let refused = report
            .globals
            .iter()
            .filter(|f| f.verdict != Verdict::Allowed)
            .count();
        if let Some(problem) = &report.problem {
            eprintln!("hx: {shown}: {problem}");
        }
        if !report.is_safe() {
            unsafe_files += 1;
            eprintln!(
                "hx: {shown}: {refused} of {} globals not allowed{}",
                report.globals.len(),
                if report.problem.is_some() {
                    ", and the pickle is malformed"
                } else {
                    ""
                }
            );
        }
    }
    if unsafe_files > 0 {
        return Err(Failure::Rejected(String::new()));
    }
    Ok(())
}

/// `hx pickle scan --json`: one object for one file.
fn report_json(file: &str, report: &pickle::Report) -> String {
    let globals: Vec<serde_json::Value> = report
        .globals
        .iter()
        .map(|f| {
            serde_json::json!({
                "module": f.module,
                "name": f.name,
                "verdict": f.verdict.as_str(),
                "count": f.count,
                "offset": f.offset,
                "opcode": f.opcode,
            })
        })
        .collect();
    serde_json::json!({
        "file": file,
        "safe": report.is_safe(),
        "pickles": report.pickles,
        "bytes": report.bytes,
        "problem": report.problem.as_ref().map(ToString::to_string),
        "globals": globals,
    })
    .to_string()
}

fn load(args: &LoadArgs) -> CmdResult {
    let limits = Limits {
        max_bytes: args.max_bytes,
        max_depth: args.max_depth,
        max_seq_len: args.max_bytes,
        max_total_alloc: args.max_bytes.saturating_mul(16),
    };
    let options = options(&args.allow)?
        .with_limits(limits)
        .with_max_output(args.max_output);
    let shown = args.file.display();
    let data = if args.file == Path::new("-") {
        io::read_stdin_all(args.max_bytes.saturating_add(1))?.to_vec()
    } else {
        read_limited(&args.file, args.max_bytes)?
    };
    let json = pickle::load_json(&data, &options).map_err(|e| match e {
        Error::Io(e) => Failure::Usage(format!("{shown}: {e}")),
        other => Failure::Rejected(format!("{shown}: {other}")),
    })?;
    io::print_line(&json)
}

/// Reads at most `limit + 1` bytes, so that an over-long file is refused by
/// the loader's size check without being read whole.
fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    let mut data = Vec::new();
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
    Ok(data)
}
