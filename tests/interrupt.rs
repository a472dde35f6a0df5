//! Interrupted (Ctrl+C, SIGTERM), xxgk leaves no temporary folder and no
//! half-written file behind (issue 20): the folder a zip was unpacked into,
//! the index of last year's reports, and `.xxgk-*.tmp` files in the output
//! folder are removed before the process ends.

#![cfg(unix)]

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

#[test]
fn an_interrupted_batch_leaves_no_temporary_folder_or_file() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let input = dir.path().join("county");
    std::fs::create_dir_all(&input).unwrap();
    // A zip of many Word reports: long enough to be interrupted while it runs.
    let docx = dir.path().join("r.docx");
    let o = common::run(&["convert", "samples/2021-tongxin-county.json", "-o", docx.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let bytes = std::fs::read(&docx).unwrap();
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(input.join("乡镇.zip")).unwrap());
        for i in 0..600 {
            z.start_file(format!("单位{i:03}.docx"), zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(&bytes).unwrap();
        }
        z.finish().unwrap();
    }
    let prev = dir.path().join("prev");
    std::fs::create_dir_all(&prev).unwrap();
    std::fs::copy(common::root().join("samples/2020-enhe-town.json"), prev.join("上年.json")).unwrap();
    let out = dir.path().join("out");
    let mut child = common::bin()
        .env("TMPDIR", &tmp)
        .args(["batch", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--jobs", "1"])
        .args(["--previous-dir", prev.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until reports are being written, then interrupt.
    let start = Instant::now();
    while std::fs::read_dir(out.join("reports")).map_or(0, |d| d.count()) < 3 {
        assert!(start.elapsed() < Duration::from_secs(60), "the batch wrote nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
    let listed = |d: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect()
    };
    assert!(
        listed(&tmp).iter().any(|n| n.starts_with("xxgk-zip-")),
        "the zip is unpacked into TMPDIR: {:?}",
        listed(&tmp)
    );
    // SAFETY: kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "interrupted, not finished: {err}");
    assert!(err.contains("已中断"), "{err}");
    // Nothing of xxgk's is left in TMPDIR (its workers' own folders are gone too).
    std::thread::sleep(Duration::from_millis(300));
    let left: Vec<String> = listed(&tmp).into_iter().filter(|n| n.starts_with("xxgk-")).collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    let half: Vec<String> = listed(&out.join("reports")).into_iter().filter(|n| n.ends_with(".tmp")).collect();
    assert!(half.is_empty(), "half-written files: {half:?}");
}
