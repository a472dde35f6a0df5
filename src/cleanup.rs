//! What xxgk removes when it is interrupted (Ctrl+C, the console window
//! closed, SIGTERM): the temporary folders it made (zips unpacked, the index
//! of last year's reports, LibreOffice's private folders) and its own
//! half-written temporary files (`.xxgk-*.tmp`) in the folders it writes to.
//!
//! In a normal run these go away when their owners are dropped; an
//! interrupted process drops nothing, so each is also listed here while it
//! exists, and [`interrupted`] removes what is listed. The command line
//! calls it from its signal handler (`src/main.rs`), the web server from its
//! shutdown.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How the temporary files of [`crate::output::create_beside`] are named:
/// `.xxgk-…tmp`.
pub const TEMP_PREFIX: &str = ".xxgk-";
pub const TEMP_SUFFIX: &str = ".tmp";

static FOLDERS: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
static SWEEP: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// A temporary folder listed for removal on interruption while this value
/// lives (it is taken off the list when dropped; its owner removes it).
#[derive(Debug)]
pub struct Listed(PathBuf);

impl Drop for Listed {
    fn drop(&mut self) {
        if let Ok(mut f) = FOLDERS.lock() {
            f.remove(&self.0);
        }
    }
}

/// List a temporary folder for removal on interruption.
pub fn list(folder: &Path) -> Listed {
    if let Ok(mut f) = FOLDERS.lock() {
        f.insert(folder.to_path_buf());
    }
    Listed(folder.to_path_buf())
}

/// A folder xxgk writes outputs into: on interruption, its `.xxgk-*.tmp`
/// files (made by [`crate::output::create_beside`]) are removed.
pub fn sweep_on_interrupt(folder: &Path) {
    if let Ok(mut s) = SWEEP.lock() {
        if !s.contains(folder) {
            s.insert(folder.to_path_buf());
        }
    }
}

/// Remove everything listed. Safe to call from a signal handler's thread
/// (the `ctrlc` crate runs handlers on a thread of their own); a lock held
/// by a thread that will never run again is skipped, not waited for.
pub fn interrupted() {
    if let Ok(folders) = FOLDERS.try_lock() {
        for f in folders.iter() {
            let _ = std::fs::remove_dir_all(f);
        }
    }
    if let Ok(dirs) = SWEEP.try_lock() {
        for d in dirs.iter() {
            for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_folders_and_temporaries_go_on_interruption() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        let gone = dir.path().join("gone");
        std::fs::create_dir_all(gone.join("x")).unwrap();
        std::fs::create_dir_all(&kept).unwrap();
        std::fs::write(kept.join(".xxgk-abc.tmp"), "x").unwrap();
        std::fs::write(kept.join("report.json"), "x").unwrap();
        let listed = list(&gone);
        let unlisted = dir.path().join("unlisted");
        drop(list(&unlisted));
        std::fs::create_dir_all(&unlisted).unwrap();
        sweep_on_interrupt(&kept);
        interrupted();
        assert!(!gone.exists());
        assert!(unlisted.exists(), "taken off the list when dropped");
        assert!(!kept.join(".xxgk-abc.tmp").exists() && kept.join("report.json").exists());
        drop(listed);
    }
}
