//! LibreOffice headless, run safely: the one place xxgk starts it, for
//! reading legacy formats ([`crate::read::legacy`]) and for printing the
//! publication to PDF ([`crate::write::pdf`]).
//!
//! Every run has a private temporary folder, removed afterwards: a copy of
//! the input under a neutral name, a fresh LibreOffice profile
//! (`-env:UserInstallation`) that turns macros off (macro security "very
//! high", macro execution disabled, VBA neither loaded nor executable) and
//! never updates links, LibreOffice's own temporary files (`TMPDIR`), and
//! the output; nothing is written next to the input. LibreOffice runs in a
//! process group of its own, which a reaper (`sh`) kills, removing the
//! folder, when this process ends however it ends (see `run`); after the
//! time limit the group is killed.
//!
//! `XXGK_SOFFICE` chooses the program: `none` (or `off`, `0`) turns
//! LibreOffice off, a path names the program; otherwise `soffice` or
//! `libreoffice` is looked up on `PATH`, then where LibreOffice installs
//! itself (on Windows: the folder in the registry, then every Program
//! Files folder; on macOS the application). On Windows LibreOffice runs in a
//! Job Object instead of a process group ([`crate::winjob`]).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub use crate::error::{SOFFICE_ENV as ENV, SOFFICE_INSTALL as INSTALL};

/// Where LibreOffice is, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Soffice {
    Found(PathBuf),
    /// Turned off by [`ENV`] (its value).
    Off(String),
    /// [`ENV`] names a program that is not there.
    Wrong(PathBuf),
    Missing,
}

/// Find LibreOffice (see the module documentation).
pub fn soffice() -> Soffice {
    if let Some(v) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        let s = v.to_string_lossy().trim().to_string();
        if ["none", "off", "0", "no", "false"].contains(&s.to_ascii_lowercase().as_str()) {
            return Soffice::Off(s);
        }
        let p = PathBuf::from(v);
        return if p.is_file() { Soffice::Found(p) } else { Soffice::Wrong(p) };
    }
    let names: &[&str] = if cfg!(windows) { &["soffice.exe", "soffice.com"] } else { &["soffice", "libreoffice"] };
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(usual_folders())
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
        .map_or(Soffice::Missing, Soffice::Found)
}

/// Where LibreOffice installs itself, besides `PATH`: on Windows the folder
/// its installer records in the registry, then `LibreOffice\program` under
/// every Program Files folder (64- and 32-bit); on macOS the application.
fn usual_folders() -> Vec<PathBuf> {
    let mut out = Vec::new();
    #[cfg(windows)]
    out.extend(crate::winjob::libreoffice_folder());
    if cfg!(windows) {
        for var in ["ProgramW6432", "ProgramFiles", "ProgramFiles(x86)"] {
            if let Some(d) = std::env::var_os(var).filter(|d| !d.is_empty()) {
                out.push(PathBuf::from(d).join("LibreOffice").join("program"));
            }
        }
        out.push(PathBuf::from(r"C:\Program Files\LibreOffice\program"));
    } else {
        out.push(PathBuf::from("/Applications/LibreOffice.app/Contents/MacOS"));
    }
    out
}

/// Why a run gave no output.
#[derive(Debug)]
pub enum Failure {
    /// The private folder could not be prepared: what failed, and why.
    Prepare(&'static str, std::io::Error),
    /// LibreOffice could not be started.
    Start(std::io::Error),
    /// Still running after the limit (the seconds it ran); it was stopped.
    TimedOut(f64),
    /// It ended without writing the output: its exit status and the last
    /// line it printed (`：…`, or empty).
    NoOutput(ExitStatus, String),
}

/// Run `program --convert-to FILTER` on `bytes`, shown to LibreOffice as
/// `input_name`, in a private folder, and hand the output (named
/// `input.<ext>`, `ext` being the filter's first part) to `read` before the
/// folder is removed.
///
/// # Errors
/// [`Failure`]: no output, and why.
pub fn convert<T>(
    program: &Path,
    input_name: &str,
    bytes: &[u8],
    filter: &str,
    limit: Duration,
    read: impl FnOnce(&Path) -> T,
) -> Result<T, Failure> {
    let dir = tempfile::Builder::new()
        .prefix("xxgk-soffice-")
        .tempdir()
        .map_err(|e| Failure::Prepare("无法创建临时文件夹", e))?;
    let _listed = crate::cleanup::list(dir.path());
    let (profile, tmp, out) = (dir.path().join("profile"), dir.path().join("tmp"), dir.path().join("out"));
    let input = dir.path().join(input_name);
    for d in [&profile.join("user"), &tmp, &out] {
        std::fs::create_dir_all(d).map_err(|e| Failure::Prepare("无法创建临时文件夹", e))?;
    }
    std::fs::write(profile.join("user/registrymodifications.xcu"), PROFILE)
        .map_err(|e| Failure::Prepare("无法写入配置", e))?;
    std::fs::write(&input, bytes).map_err(|e| Failure::Prepare("无法写入临时文件", e))?;
    let log_path = dir.path().join("soffice.log");
    let log = std::fs::File::create(&log_path).map_err(|e| Failure::Prepare("无法写入临时文件", e))?;
    let log2 = log.try_clone().map_err(|e| Failure::Prepare("无法写入临时文件", e))?;
    let mut cmd = Command::new(program);
    cmd.arg(format!("-env:UserInstallation={}", file_url(&profile)))
        .args(["--headless", "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck"])
        .args(["--convert-to", filter, "--outdir"])
        .arg(&out)
        .arg(&input)
        .current_dir(dir.path())
        .env("TMPDIR", &tmp)
        .env("TMP", &tmp)
        .env("TEMP", &tmp)
        // LibreOffice writes the local time zone into a PDF's dates: one
        // zone for all, so that the same input gives the same bytes.
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
    let start = Instant::now();
    let status = run(cmd, limit, dir.path()).map_err(Failure::Start)?;
    let Some(status) = status else {
        return Err(Failure::TimedOut(start.elapsed().as_secs_f64()));
    };
    let ext = filter.split(':').next().unwrap_or(filter);
    let result = out.join(format!("input.{ext}"));
    if !result.is_file() {
        let said = std::fs::read_to_string(&log_path).unwrap_or_default();
        let said = said
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && !l.contains("javaldx"))
            .map(|l| format!("：{}", l.chars().take(200).collect::<String>()))
            .unwrap_or_default();
        return Err(Failure::NoOutput(status, said));
    }
    Ok(read(&result))
}

/// The profile every conversion starts from: macros off, links never
/// updated (Writer 0 and Calc 1 mean "never").
const PROFILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
"#;

/// `file://` URL of a path, every byte but unreserved ones percent-encoded.
fn file_url(p: &Path) -> String {
    #[cfg(unix)]
    let (bytes, mut url) = {
        use std::os::unix::ffi::OsStrExt;
        (p.as_os_str().as_bytes().to_vec(), String::from("file://"))
    };
    #[cfg(not(unix))]
    let (bytes, mut url) = (p.to_string_lossy().replace('\\', "/").into_bytes(), String::from("file:///"));
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Wait for a child until `limit`; `None` if it is still running then.
fn wait_until(child: &mut Child, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        if let Some(s) = child.try_wait()? {
            return Ok(Some(s));
        }
        let left = limit.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Ok(None);
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Run LibreOffice in a process group of its own and wait until `limit`;
/// `None` on overrun. The group is led by an anchor, a shell waiting on
/// its standard input, so that the group id stays ours while we may kill
/// the group; a reaper outside the group waits the same way, and when this
/// process ends however it ends (both inputs close), kills the group and
/// removes `dir`. When LibreOffice is done or overruns, the group is
/// killed here.
#[cfg(unix)]
fn run(mut cmd: Command, limit: Duration, dir: &Path) -> std::io::Result<Option<ExitStatus>> {
    use std::os::unix::process::CommandExt;
    let quiet = |c: &mut Command| {
        c.stdout(Stdio::null()).stderr(Stdio::null()).process_group(0);
    };
    let mut anchor = Command::new("/bin/sh");
    anchor.args(["-c", "read x"]).stdin(Stdio::piped());
    quiet(&mut anchor);
    let mut anchor = anchor.spawn()?;
    let group = libc::pid_t::try_from(anchor.id()).unwrap_or(0);
    let kill_group = || {
        if group > 1 {
            // SAFETY: kill(2) on the process group led by the anchor, our
            // own child, alive until this very call; no memory is involved.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
    };
    let mut reaper = Command::new("/bin/sh");
    reaper
        .args([
            "-c",
            // Kill the group, wait until every process of it is gone (one
            // still dying could write into the folder), then remove it.
            r#"trap "" INT HUP; read x; kill -s KILL -- "-$1"; n=0; while kill -0 -- "-$1" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.05; n=$((n+1)); done; rm -rf -- "$2""#,
            "sh",
        ])
        .arg(group.to_string())
        .arg(dir)
        .stdin(Stdio::piped());
    quiet(&mut reaper);
    let mut reaper = match reaper.spawn() {
        Ok(r) => r,
        Err(e) => {
            kill_group();
            let _ = anchor.wait();
            return Err(e);
        }
    };
    let status = match cmd.process_group(group).spawn() {
        Ok(mut child) => {
            let status = wait_until(&mut child, limit);
            kill_group();
            let _ = child.wait();
            status
        }
        Err(e) => {
            kill_group();
            Err(e)
        }
    };
    let _ = anchor.wait();
    // Every process of the group gone before the folder is removed (a
    // process still dying could write into it); at most five seconds.
    for _ in 0..100 {
        // SAFETY: kill(2) with signal 0 only asks whether the group exists.
        if group <= 1 || unsafe { libc::kill(-group, 0) } != 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = reaper.kill();
    let _ = reaper.wait();
    status
}

/// Run LibreOffice in a Job Object and wait until `limit`; `None` on
/// overrun. `soffice.exe` starts `soffice.bin`: the job holds both, and
/// every process of it is killed when LibreOffice is done or overruns, and
/// when this process ends however it ends (the job is closed with it).
#[cfg(windows)]
fn run(mut cmd: Command, limit: Duration, _dir: &Path) -> std::io::Result<Option<ExitStatus>> {
    let job = crate::winjob::Job::new(0)?;
    let mut child = cmd.spawn()?;
    if let Err(e) = job.assign(&child) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    let status = wait_until(&mut child, limit);
    job.terminate(Duration::from_secs(5));
    let _ = child.wait();
    status
}

#[cfg(not(any(unix, windows)))]
fn run(mut cmd: Command, limit: Duration, _dir: &Path) -> std::io::Result<Option<ExitStatus>> {
    let mut child = cmd.spawn()?;
    let status = wait_until(&mut child, limit);
    if !matches!(status, Ok(Some(_))) {
        let _ = child.kill();
    }
    let _ = child.wait();
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_escaped() {
        #[cfg(unix)]
        assert_eq!(file_url(Path::new("/tmp/a b/年报")), "file:///tmp/a%20b/%E5%B9%B4%E6%8A%A5");
        #[cfg(windows)]
        assert_eq!(file_url(Path::new(r"C:\Temp\a b\年报")), "file:///C:/Temp/a%20b/%E5%B9%B4%E6%8A%A5");
    }
}
