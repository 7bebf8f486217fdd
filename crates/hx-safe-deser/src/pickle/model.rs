//! Model files, the containers most pickles arrive in: PyTorch checkpoints
//! (the zip of `torch.save` and the legacy format of several pickles in a
//! row), NumPy `.npy` files of object arrays and `.npz` archives of them.
//! Each is recognised by its first bytes, opened within [`ArchiveLimits`],
//! and every pickle inside it is scanned as [`scan`](super::scan) scans one.

use std::io::{Read, Seek, SeekFrom};

use super::{LoadOptions, Profile, Report, scan_reader};
use crate::{Error, Result};

/// Bounds on what an archive may make the scanner read, checked against
/// the archive's directory before anything is decompressed and again while
/// each member is read (a member that holds more than its header says is
/// refused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// The most members. Default 65,536.
    pub max_members: u64,
    /// The largest central directory, in bytes (it is read into memory).
    /// Default 16 MiB.
    pub max_directory_bytes: u64,
    /// The largest member scanned, uncompressed. Default 64 GiB.
    pub max_member_bytes: u64,
    /// The most bytes scanned in all, uncompressed. Default 64 GiB.
    pub max_total_bytes: u64,
    /// The highest ratio of uncompressed to compressed size for a member
    /// over 1 MiB. Deflate reaches about 1,032 on zeros; pickles compress
    /// far less. Default 200.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_members: 1 << 16,
            max_directory_bytes: 16 << 20,
            max_member_bytes: 64 << 30,
            max_total_bytes: 64 << 30,
            max_ratio: 200,
        }
    }
}

/// What kind of file [`scan_model`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// One or more pickles in a row.
    Pickle,
    /// A `torch.save` zip archive (`<name>/data.pkl`, `<name>/data/<n>`,
    /// `<name>/version`, ...).
    TorchZip,
    /// The legacy `torch.save` format: five pickles (magic number,
    /// protocol version, system information, the object, storage keys),
    /// then raw storage data.
    TorchLegacy,
    /// A NumPy `.npy` array.
    Npy,
    /// Any other zip archive (`.npz` among them): its `.pkl`, `.pickle`
    /// and `.npy` members are scanned.
    Zip,
}

impl Format {
    /// A short name for messages.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pickle => "pickle",
            Self::TorchZip => "PyTorch checkpoint (zip)",
            Self::TorchLegacy => "PyTorch checkpoint (legacy)",
            Self::Npy => "NumPy array",
            Self::Zip => "zip archive",
        }
    }
}

/// The scan of one member of a model file.
#[derive(Debug)]
pub struct MemberReport {
    /// The member's name inside the archive (`None` for a file that is
    /// itself the pickle or array).
    pub name: Option<String>,
    /// What scanning it found.
    pub report: Report,
}

/// What [`scan_model`] found.
#[derive(Debug)]
pub struct ModelReport {
    /// The kind of file.
    pub format: Format,
    /// Every pickle scanned, in the order of the file.
    pub members: Vec<MemberReport>,
    /// Something wrong with the container itself (unreadable archive, a
    /// bound exceeded, a member larger than declared).
    pub problem: Option<Error>,
}

impl ModelReport {
    /// Whether every member is safe and the container is sound.
    #[must_use]
    pub fn is_safe(&self) -> bool {
        self.problem.is_none() && self.members.iter().all(|m| m.report.is_safe())
    }
}

/// What `pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2)` gives: the
/// first pickle of a legacy PyTorch file.
const TORCH_LEGACY_MAGIC: &[u8] = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.";
/// The pickles of a legacy PyTorch file before its raw data.
const TORCH_LEGACY_PICKLES: usize = 5;
/// The largest `.npy` header read (NumPy's own default limit is 10,000).
const NPY_HEADER_MAX: usize = 1 << 16;

/// Recognises a model file by its first bytes and scans every pickle in
/// it. Files that are none of the model formats are scanned as pickles.
/// The whole of `reader` is the file, from its start whatever its position.
///
/// ```
/// use std::io::Cursor;
/// use hx_safe_deser::pickle::{ArchiveLimits, Format, LoadOptions, scan_model};
/// // A NumPy .npy of float32s holds no pickle at all.
/// let mut npy = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
/// let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
/// npy.extend_from_slice(format!("{header:<117}\n").as_bytes());
/// npy.extend_from_slice(&1.5f32.to_le_bytes());
/// let report = scan_model(Cursor::new(npy), &LoadOptions::default(), &ArchiveLimits::default())?;
/// assert_eq!(report.format, Format::Npy);
/// assert!(report.is_safe() && report.members.is_empty());
/// # Ok::<(), hx_safe_deser::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] if reading fails; everything wrong with the file itself
/// is in the report.
pub fn scan_model<R: Read + Seek>(
    mut reader: R,
    options: &LoadOptions,
    limits: &ArchiveLimits,
) -> Result<ModelReport> {
    reader.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 16];
    let n = read_up_to(&mut reader, &mut head)?;
    reader.seek(SeekFrom::Start(0))?;
    let head = &head[..n];
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return scan_zip(reader, options, limits);
    }
    if head.starts_with(b"\x93NUMPY") {
        let mut members = Vec::new();
        let problem = scan_npy(reader, None, options, &mut members)?;
        return Ok(ModelReport {
            format: Format::Npy,
            members,
            problem,
        });
    }
    let (format, report) = if head.starts_with(TORCH_LEGACY_MAGIC) {
        let options = options.clone().with_profile(Profile::PyTorch);
        let mut src = super::ops::ReaderSource::new(reader);
        (
            Format::TorchLegacy,
            super::scan::scan_pickles(&mut src, &options, TORCH_LEGACY_PICKLES)?,
        )
    } else {
        (Format::Pickle, scan_reader(reader, options)?)
    };
    Ok(ModelReport {
        format,
        members: vec![MemberReport { name: None, report }],
        problem: None,
    })
}

fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}

fn archive(reason: impl Into<String>) -> Error {
    Error::Archive(reason.into())
}

/// Scans a `.npy` stream: the pickle after the header if its dtype holds
/// Python objects (NumPy pickles those), nothing otherwise. Returns the
/// problem with the header, if any.
fn scan_npy<R: Read>(
    mut reader: R,
    name: Option<&str>,
    options: &LoadOptions,
    members: &mut Vec<MemberReport>,
) -> Result<Option<Error>> {
    let mut fixed = [0u8; 8];
    if read_up_to(&mut reader, &mut fixed)? < 8 || !fixed.starts_with(b"\x93NUMPY") {
        return Ok(Some(archive("not a .npy header")));
    }
    let len = match fixed[6] {
        1 => {
            let mut b = [0u8; 2];
            if read_up_to(&mut reader, &mut b)? < 2 {
                return Ok(Some(archive(".npy header cut short")));
            }
            usize::from(u16::from_le_bytes(b))
        }
        2 | 3 => {
            let mut b = [0u8; 4];
            if read_up_to(&mut reader, &mut b)? < 4 {
                return Ok(Some(archive(".npy header cut short")));
            }
            usize::try_from(u32::from_le_bytes(b)).unwrap_or(usize::MAX)
        }
        _ => return Ok(Some(archive("unknown .npy version"))),
    };
    if len > NPY_HEADER_MAX {
        return Ok(Some(archive(".npy header over 64 KiB")));
    }
    let mut header = vec![0u8; len];
    if read_up_to(&mut reader, &mut header)? < len {
        return Ok(Some(archive(".npy header cut short")));
    }
    if holds_objects(&header) {
        let options = options.clone().with_profile(Profile::NumPy);
        let report = scan_reader(reader, &options)?;
        members.push(MemberReport {
            name: name.map(str::to_owned),
            report,
        });
    }
    Ok(None)
}

/// Whether a `.npy` header's dtype has Python objects: any quoted type
/// code `O` (with an optional byte-order mark), in the descr or in a
/// structured dtype's fields. Unsure counts as yes: the data is then
/// scanned as a pickle.
fn holds_objects(header: &[u8]) -> bool {
    header
        .split(|&b| b == b'\'' || b == b'"')
        .skip(1)
        .step_by(2)
        .any(|quoted| {
            let code = quoted
                .strip_prefix(b"<")
                .or_else(|| quoted.strip_prefix(b">"))
                .or_else(|| quoted.strip_prefix(b"|"))
                .or_else(|| quoted.strip_prefix(b"="))
                .unwrap_or(quoted);
            code.first() == Some(&b'O') && code[1..].iter().all(u8::is_ascii_digit)
        })
}

/// The size of an archive's central directory and its number of entries,
/// from the end record (zip64 included), checked before the zip reader
/// reads the directory into memory.
fn check_directory<R: Read + Seek>(
    reader: &mut R,
    limits: &ArchiveLimits,
) -> Result<Option<Error>> {
    let len = reader.seek(SeekFrom::End(0))?;
    let tail_len = len.min(22 + 0xffff);
    reader.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; usize::try_from(tail_len).unwrap_or(0)];
    reader.read_exact(&mut tail)?;
    reader.seek(SeekFrom::Start(0))?;
    let Some(eocd) = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
    else {
        // The zip reader says what is wrong.
        return Ok(None);
    };
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([tail[i], tail[i + 1]]));
    let u32_at = |i: usize| {
        u64::from(u32::from_le_bytes([
            tail[i],
            tail[i + 1],
            tail[i + 2],
            tail[i + 3],
        ]))
    };
    let (mut entries, mut size) = (u16_at(eocd + 10), u32_at(eocd + 12));
    if (entries == 0xffff || size == 0xffff_ffff)
        && eocd >= 20
        && tail[eocd - 20..].starts_with(b"PK\x06\x07")
    {
        let at = u32_at(eocd - 12) | (u32_at(eocd - 8) << 32);
        let mut record = [0u8; 56];
        if at.checked_add(56).is_some_and(|end| end <= len) {
            reader.seek(SeekFrom::Start(at))?;
            reader.read_exact(&mut record)?;
            reader.seek(SeekFrom::Start(0))?;
            if record.starts_with(b"PK\x06\x06") {
                let u64_at = |i: usize| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&record[i..i + 8]);
                    u64::from_le_bytes(b)
                };
                (entries, size) = (u64_at(32), u64_at(40));
            }
        }
    }
    if entries > limits.max_members {
        return Ok(Some(archive(format!(
            "the archive has {entries} members, over the limit of {}",
            limits.max_members
        ))));
    }
    if size > limits.max_directory_bytes {
        return Ok(Some(archive(format!(
            "the archive's directory is {size} bytes, over the limit of {}",
            limits.max_directory_bytes
        ))));
    }
    Ok(None)
}

/// A member's content, refused past the size its header declares.
struct Declared<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Declared<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more than declared is an error, not the end.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the member holds more than its header declares",
                )),
            };
        }
        let max = usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// What the zip reader found wrong with the archive, or the I/O failure
/// that stopped it. The reader reports some damage as I/O errors (an extra
/// field or a header cut short, an offset past the end): those kinds are
/// the file's problem, not the reading's.
fn zip_problem(e: zip::result::ZipError) -> Result<Error> {
    use std::io::ErrorKind::{InvalidData, InvalidInput, OutOfMemory, UnexpectedEof, Unsupported};
    match e {
        zip::result::ZipError::Io(e)
            if !matches!(
                e.kind(),
                UnexpectedEof | InvalidData | InvalidInput | OutOfMemory | Unsupported
            ) =>
        {
            Err(e.into())
        }
        e => Ok(archive(e.to_string())),
    }
}

fn scan_zip<R: Read + Seek>(
    mut reader: R,
    options: &LoadOptions,
    limits: &ArchiveLimits,
) -> Result<ModelReport> {
    let refused = |format, members, problem| {
        Ok(ModelReport {
            format,
            members,
            problem: Some(problem),
        })
    };
    if let Some(problem) = check_directory(&mut reader, limits)? {
        return refused(Format::Zip, Vec::new(), problem);
    }
    let mut zip = match zip::ZipArchive::new(reader) {
        Ok(zip) => zip,
        Err(e) => return refused(Format::Zip, Vec::new(), zip_problem(e)?),
    };
    let torch = zip
        .file_names()
        .any(|n| n.is_ok_and(|n| n.ends_with("/data.pkl")));
    let format = if torch { Format::TorchZip } else { Format::Zip };
    let pickle_options = if torch {
        options.clone().with_profile(Profile::PyTorch)
    } else {
        options.clone()
    };
    let mut members = Vec::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let member = match zip.by_index(i) {
            Ok(member) => member,
            Err(e) => return refused(format, members, zip_problem(e)?),
        };
        let name = match member.name() {
            Ok(name) => name.into_owned(),
            Err(e) => return refused(format, members, archive(e.to_string())),
        };
        let is_pickle = name.ends_with(".pkl") || name.ends_with(".pickle");
        let is_npy = name.ends_with(".npy");
        if member.is_dir() || !(is_pickle || is_npy) {
            continue;
        }
        let (size, packed) = (member.size(), member.compressed_size());
        total = total.saturating_add(size);
        let bound = if size > limits.max_member_bytes {
            Some(format!("{name}: {size} bytes, over the member limit"))
        } else if total > limits.max_total_bytes {
            Some(format!("{name}: over the archive's total limit"))
        } else if size > 1 << 20 && size / packed.max(1) > limits.max_ratio {
            Some(format!(
                "{name}: compressed {}:1, a zip bomb",
                size / packed.max(1)
            ))
        } else {
            None
        };
        if let Some(reason) = bound {
            return refused(format, members, archive(reason));
        }
        let content = Declared {
            inner: member,
            left: size,
        };
        let scanned = if is_pickle {
            scan_reader(content, &pickle_options).map(|report| {
                members.push(MemberReport {
                    name: Some(name.clone()),
                    report,
                });
                None
            })
        } else {
            scan_npy(content, Some(&name), options, &mut members)
        };
        match scanned {
            Ok(None) => {}
            Ok(Some(problem)) => return refused(format, members, problem),
            // A damaged member (bad CRC, bad deflate data, longer than
            // declared) is the archive's problem, not an I/O failure.
            Err(Error::Io(e)) => return refused(format, members, archive(format!("{name}: {e}"))),
            Err(e) => return refused(format, members, e),
        }
    }
    Ok(ModelReport {
        format,
        members,
        problem: None,
    })
}

#[cfg(test)]
mod tests {
    use super::holds_objects;

    #[test]
    fn object_dtypes_are_found() {
        assert!(holds_objects(
            b"{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"
        ));
        assert!(holds_objects(
            b"{'descr': [('a', '<i4'), ('b', 'O')], 'shape': (), }"
        ));
        assert!(holds_objects(b"{'descr': '<O8', 'shape': (), }"));
        assert!(!holds_objects(
            b"{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        ));
        assert!(!holds_objects(
            b"{'descr': [('Obj', '<i4')], 'shape': (), }"
        ));
    }
}
