//! Writing output files safely: atomically, never over an input, never a
//! half-written file.
//!
//! Output files are written to a temporary file beside the target and moved
//! into place in one step (tempfile's `persist_noclobber`, or `persist` when
//! replacing is asked for), so a failed run leaves no partial file, an
//! existing file is replaced only when asked, and an input is never
//! overwritten. Devices and named pipes are written in place.

use crate::error::{Error, OutputProblem, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Write `bytes` to `path` atomically: [`create_beside`], then [`persist`].
///
/// # Errors
/// [`Error::OutputExists`] if `path` exists and `force` is false, or if it is
/// one of `inputs`; [`Error::Io`] on failure (no partial file is left).
pub fn write_file(path: &Path, bytes: &[u8], force: bool, inputs: &[PathBuf]) -> Result<()> {
    write(path, bytes, force, inputs, true)
}

/// [`write_file`] without waiting for the disk, for the many files of a
/// batch: the file is complete when it appears (temporary file, then one
/// rename) and reaches the disk when the batch's [`SyncLater::sync`] flushes
/// the file system once (as git's `core.fsyncMethod=batch` does): one wait
/// instead of one per file. Where that does not hold, each file is still
/// flushed before it is moved into place: on a network or FUSE file system
/// (NFS, SMB: a write error may show only when the data is sent) and on
/// systems other than Linux (no `syncfs`).
///
/// # Errors
/// As [`write_file`].
pub fn write_file_unsynced(path: &Path, bytes: &[u8], force: bool, inputs: &[PathBuf]) -> Result<()> {
    let sync = !path.parent().is_some_and(local_file_system);
    write(path, bytes, force, inputs, sync)
}

fn write(path: &Path, bytes: &[u8], force: bool, inputs: &[PathBuf], sync: bool) -> Result<()> {
    if inputs.iter().any(|i| same_file(i, path)) {
        return Err(Error::OutputExists { path: path.to_path_buf() });
    }
    let file = match target(path)? {
        Target::Stream(mut w) => return w.write_all(bytes).and_then(|_| w.flush()).map_err(|e| Error::io(path, e)),
        Target::File(file) => file,
    };
    let mut tmp = create_beside(&file)?;
    tmp.write_all(bytes)
        .and_then(|_| if sync { tmp.as_file().sync_all() } else { Ok(()) })
        .map_err(|e| Error::io(path, e))?;
    persist(tmp, &file, force)
}

/// Is `dir` on a local disk file system, whose files [`SyncLater`] flushes
/// with one `syncfs`? (Linux: not NFS, SMB/CIFS, FUSE or 9p.)
#[cfg(target_os = "linux")]
fn local_file_system(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    // i128: `f_type` is i64 with glibc, u64 with musl.
    const REMOTE: [i128; 6] = [0x6969, 0x517B, 0xFF53_4D42, 0xFE53_4D42, 0x6573_5546, 0x0102_1997];
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else { return false };
    // SAFETY: statfs reads a NUL-terminated path and fills the struct given.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return false;
    }
    #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
    let kind = i128::from(st.f_type);
    !REMOTE.contains(&kind)
}

#[cfg(not(target_os = "linux"))]
fn local_file_system(_: &Path) -> bool {
    false
}

/// The one flush of a batch's outputs: opened on the output folder before
/// the first file is written, so that a write error the system meets later
/// is reported to it, then [`SyncLater::sync`] once at the end.
pub struct SyncLater {
    /// The folder, open (Linux only: elsewhere a folder cannot be opened
    /// as a file — Windows answers "Access denied" — and each file was
    /// flushed on its own).
    #[cfg(target_os = "linux")]
    dir: std::fs::File,
}

impl SyncLater {
    /// # Errors
    /// The folder cannot be opened.
    pub fn open(dir: &Path) -> Result<SyncLater> {
        crate::cleanup::sweep_on_interrupt(dir);
        #[cfg(target_os = "linux")]
        return Ok(SyncLater { dir: std::fs::File::open(dir).map_err(|e| Error::io(dir, e))? });
        #[cfg(not(target_os = "linux"))]
        Ok(SyncLater {})
    }

    /// Flush the file system that holds the folder (`syncfs`). Elsewhere
    /// than Linux the files were flushed one by one already.
    ///
    /// # Errors
    /// The system reported a write error: some output may be incomplete.
    pub fn sync(&self, dir: &Path) -> Result<()> {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: syncfs on a descriptor this value owns.
            if unsafe { libc::syncfs(self.dir.as_raw_fd()) } != 0 {
                let e = std::io::Error::last_os_error();
                return Err(Error::output(dir, OutputProblem::Flush { detail: e.to_string() }));
            }
        }
        let _ = dir;
        Ok(())
    }
}

/// Where an output goes.
enum Target {
    /// A regular file (existing or not) at this path: written beside it and
    /// moved into place. For a symbolic link, the file it names (the link
    /// is kept).
    File(PathBuf),
    /// Standard output or error, a character device (`/dev/null`) or a
    /// named pipe: written in place, since moving a file over it would
    /// replace it (run as root, `/dev/null` itself). Nothing is lost by
    /// writing to it, so no `--force` is needed.
    Stream(Box<dyn Write>),
}

/// Where the output named `path` goes.
///
/// # Errors
/// [`Error::Read`] for a block device or a socket (never written), and for
/// a named pipe nobody reads (writing would wait forever).
fn target(path: &Path) -> Result<Target> {
    let text = path.to_string_lossy();
    if matches!(text.as_ref(), "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1") {
        return Ok(Target::Stream(Box::new(std::io::stdout())));
    }
    if matches!(text.as_ref(), "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2") {
        return Ok(Target::Stream(Box::new(std::io::stderr())));
    }
    let Ok(link) = std::fs::symlink_metadata(path) else { return Ok(Target::File(path.to_path_buf())) };
    let Ok(meta) = std::fs::metadata(path) else {
        // A link to nothing: the file it names will be made.
        return Ok(Target::File(path.to_path_buf()));
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_block_device() || t.is_socket() {
            return Err(Error::output(path, OutputProblem::Device));
        }
        if t.is_char_device() || t.is_fifo() {
            return open_stream(path).map(|f| Target::Stream(Box::new(f)));
        }
        // A link through /proc/…/fd or /dev/fd names an open file of some
        // process: write through it rather than replace the file it names.
        if link.file_type().is_symlink() {
            let through_fd =
                std::fs::read_link(path).is_ok_and(|to| to.starts_with("/proc") || to.starts_with("/dev/fd"));
            if through_fd {
                return open_stream(path).map(|f| Target::Stream(Box::new(f)));
            }
        }
    }
    if link.file_type().is_symlink() && meta.is_file() {
        return path.canonicalize().map(Target::File).map_err(|e| Error::io(path, e));
    }
    Ok(Target::File(path.to_path_buf()))
}

/// Open a device or named pipe for writing. A pipe is opened without
/// waiting: if nobody reads it, that is said instead of hanging.
#[cfg(unix)]
fn open_stream(path: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    let f = std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ENXIO) {
            Error::output(path, OutputProblem::PipeWithoutReader)
        } else {
            Error::io(path, e)
        }
    })?;
    // Writes then wait for the reader as usual.
    // SAFETY: fcntl on a descriptor this function owns, with flags read from it.
    let cleared = unsafe {
        let fd = f.as_raw_fd();
        let flags = libc::fcntl(fd, libc::F_GETFL);
        flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) == 0
    };
    if !cleared {
        return Err(Error::io(path, std::io::Error::last_os_error()));
    }
    Ok(f)
}

/// How the temporary files of [`create_beside`] are named: `.xxgk-…tmp`.
pub use crate::cleanup::{TEMP_PREFIX, TEMP_SUFFIX};

/// A temporary file in the folder of `path`, for [`persist`] to move into
/// place; it is removed if dropped before that. Its permissions are those
/// a plain `File::create` would give (0666 less the umask), not 0600.
///
/// # Errors
/// [`Error::Io`] naming `path` (for example, its folder does not exist).
pub fn create_beside(path: &Path) -> Result<NamedTempFile> {
    if path.is_dir() {
        return Err(Error::output(path, OutputProblem::IsFolder));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    crate::cleanup::sweep_on_interrupt(dir);
    let mut b = tempfile::Builder::new();
    b.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    if !dir.is_dir() {
        return Err(Error::output(path, OutputProblem::NoFolder { folder: dir.to_path_buf() }));
    }
    // tempfile's error names the temporary file; the user knows only `path`.
    b.tempfile_in(dir).map_err(|e| Error::io(path, std::io::Error::from(e.kind())))
}

/// Move a finished temporary file to `path` in one step. Without `force`
/// the move itself refuses an existing file (no check-then-rename race:
/// a file that appears meanwhile is kept); with `force` it replaces it.
/// On failure the temporary file is removed.
///
/// # Errors
/// [`Error::OutputExists`] if `path` exists and `force` is false;
/// [`Error::Io`] otherwise.
pub fn persist(tmp: NamedTempFile, path: &Path, force: bool) -> Result<()> {
    let path = &match target(path)? {
        Target::Stream(mut w) => {
            // Copied into the stream; the temporary file is removed on drop.
            let copied = tmp.reopen().and_then(|mut from| std::io::copy(&mut from, &mut w).and_then(|_| w.flush()));
            return copied.map(|_| ()).map_err(|e| Error::io(path, e));
        }
        Target::File(file) => file,
    };
    let moved = if force { tmp.persist(path) } else { tmp.persist_noclobber(path) };
    match moved {
        Ok(_) => Ok(()),
        Err(e) if !force && e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Error::OutputExists { path: path.to_path_buf() })
        }
        Err(e) => Err(Error::io(path, e.error)),
    }
}

/// Whether two paths name the same file: on Unix the same device and
/// inode (so a hard link or another spelling of the path is caught too,
/// with two `stat`s rather than resolving both paths), elsewhere the same
/// canonical path. A path that does not exist is no file.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(x) = std::fs::metadata(b) else { return false };
        std::fs::metadata(a).is_ok_and(|y| x.dev() == y.dev() && x.ino() == y.ino())
    }
    #[cfg(not(unix))]
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_local_folder_is_flushed_once_and_a_missing_one_is_not_local() {
        let dir = tempfile::tempdir().unwrap();
        assert!(local_file_system(dir.path()));
        assert!(!local_file_system(Path::new("/no/such/folder")));
        let flush = SyncLater::open(dir.path()).unwrap();
        write_file_unsynced(&dir.path().join("a.json"), b"{}\n", false, &[]).unwrap();
        flush.sync(dir.path()).unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.json")).unwrap(), b"{}\n");
    }
}
