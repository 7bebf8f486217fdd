//! `hx pickle scan` and `hx pickle load` (hx-safe-deser): Python pickles
//! inspected and decoded without ever executing them.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hx::safe_deser::pickle::{self, ArchiveLimits, LoadOptions, ModelReport, Profile, Verdict};
use hx::safe_deser::{Error, Limits};

use crate::failure::{CmdResult, Failure};
use crate::io;

#[derive(Subcommand)]
pub enum PickleCommand {
    /// List each global a pickle would import, with a verdict; exit 0 if
    /// none is outside the allow-list, 1 otherwise. PyTorch checkpoints and
    /// NumPy files are opened and every pickle inside is scanned.
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
    /// Also allow what a benign file of this kind names (`torch`: the
    /// globals and persistent ids of `torch.save`; `numpy`: those of
    /// `numpy.save`). Applied by itself to files recognised as PyTorch
    /// checkpoints or NumPy arrays.
    #[arg(long, value_name = "torch|numpy", value_parser = parse_profile)]
    profile: Vec<Profile>,
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

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::parse(&name.to_ascii_lowercase())
        .ok_or_else(|| format!("unknown profile {name:?} (torch, numpy)"))
}

fn scan(args: &ScanArgs) -> CmdResult {
    let options = args
        .profile
        .iter()
        .fold(options(&args.allow)?, |o, &p| o.with_profile(p));
    let limits = ArchiveLimits::default();
    let mut unsafe_files = 0;
    for path in &args.files {
        let shown = path.display().to_string();
        let report = if path == Path::new("-") {
            // Archives need to seek: standard input is copied to an
            // unnamed temporary file (gone when closed, whatever happens).
            let mut spool = tempfile::tempfile()
                .map_err(|e| Failure::Usage(format!("-: temporary file: {e}")))?;
            let mut stdin = crate::progress::Reader::new(std::io::stdin().lock(), None, "-");
            std::io::copy(&mut stdin, &mut spool).map_err(|e| Failure::Usage(format!("-: {e}")))?;
            drop(stdin);
            pickle::scan_model(spool, &options, &limits)
        } else {
            let file =
                std::fs::File::open(path).map_err(|e| Failure::Usage(format!("{shown}: {e}")))?;
            let len = file.metadata().ok().map(|m| m.len());
            let file = crate::progress::Reader::new(file, len, &shown);
            pickle::scan_model(std::io::BufReader::new(file), &options, &limits)
        }
        .map_err(|e| Failure::Usage(format!("{shown}: {e}")))?;
        if args.json {
            io::print_line(&report_json(&shown, &report))?;
        } else {
            print_report(&shown, &report)?;
        }
        if !report.is_safe() {
            unsafe_files += 1;
        }
    }
    if unsafe_files > 0 {
        return Err(Failure::Rejected(String::new()));
    }
    Ok(())
}

/// One line per distinct global and member; problems on stderr.
fn print_report(file: &str, report: &ModelReport) -> CmdResult {
    for member in &report.members {
        let place = match &member.name {
            Some(name) => format!("{file}:{}", pickle::escaped(name)),
            None => file.to_owned(),
        };
        for finding in &member.report.globals {
            let times = if finding.count > 1 {
                format!(" x{}", finding.count)
            } else {
                String::new()
            };
            io::print_line(&format!(
                "{place}: {} {}{times}",
                finding.global(),
                finding.verdict
            ))?;
        }
        if let Some(problem) = &member.report.problem {
            eprintln!("hx: {place}: {problem}");
        }
        if !member.report.is_safe() {
            let refused = member
                .report
                .globals
                .iter()
                .filter(|f| f.verdict != Verdict::Allowed)
                .count();
            eprintln!(
                "hx: {place}: {refused} of {} globals not allowed{}",
                member.report.globals.len(),
                if member.report.problem.is_some() {
                    ", and the pickle is malformed"
                } else {
                    ""
                }
            );
        }
    }
    if let Some(problem) = &report.problem {
        eprintln!("hx: {file}: {problem}");
    }
    Ok(())
}

/// `hx pickle scan --json`: one object for one file.
fn report_json(file: &str, report: &ModelReport) -> String {
    let members: Vec<serde_json::Value> = report
        .members
        .iter()
        .map(|m| {
            let globals: Vec<serde_json::Value> = m
                .report
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
                "member": m.name,
                "safe": m.report.is_safe(),
                "pickles": m.report.pickles,
                "bytes": m.report.bytes,
                "problem": m.report.problem.as_ref().map(ToString::to_string),
                "globals": globals,
            })
        })
        .collect();
    serde_json::json!({
        "file": file,
        "format": report.format.as_str(),
        "safe": report.is_safe(),
        "problem": report.problem.as_ref().map(ToString::to_string),
        "members": members,
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
