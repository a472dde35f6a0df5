//! `xxgk serve` over HTTP: the real server (the built binary, isolated
//! workers and all) on a free port, talked to on a raw socket.

mod serve_support;

use serve_support::{converted, files_under, sample, zip_names, Server};
use std::time::{Duration, Instant};

#[test]
fn the_page_is_served_with_its_assets_and_nothing_from_outside() {
    let s = Server::start(&[]);
    let r = s.get("/");
    assert_eq!(r.status, 200);
    let page = r.text();
    for tab in ["检查", "批量", "模板", "发布"] {
        assert!(page.contains(tab), "{tab} missing");
    }
    assert!(!page.contains("http://") && !page.contains("https://"), "the page loads nothing from outside");
    assert_eq!(s.get("/app.js").status, 200);
    assert_eq!(s.get("/app.css").status, 200);
    let csp = r.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    let missing = s.get("/etc/passwd");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("没有这个页面"));
}

#[test]
fn a_host_other_than_ours_is_refused() {
    let s = Server::start(&[]);
    for host in [
        format!("evil.example:{}", s.port),
        format!("127.0.0.1:{}", s.port + 1),
        "127.0.0.1".to_string(),
        format!("localhost.evil.example:{}", s.port),
    ] {
        let r = s.request("GET", "/", &[("Host", &host)], &[]);
        assert_eq!(r.status, 403, "Host {host}");
        assert!(r.text().contains("拒绝访问"), "a Chinese page: {}", r.text());
    }
    let r = s.request("GET", "/", &[], &[]);
    assert!(r.status == 403 || r.status == 400, "no Host: {}", r.status);
    let local = format!("localhost:{}", s.port);
    assert_eq!(s.request("GET", "/", &[("Host", &local)], &[]).status, 200);
}

#[test]
fn a_post_from_another_site_is_refused() {
    let s = Server::start(&[]);
    let good = sample("2021-tongxin-county.json");
    let files = [("file", "a.json", good.as_slice())];
    for extra in [[("Origin", "http://evil.example")], [("Origin", "null")], [("Sec-Fetch-Site", "cross-site")]] {
        let r = s.post_form("/api/check", &extra, &[], &files);
        assert_eq!(r.status, 403, "{extra:?}");
        assert!(r.text().contains("其他网站"), "{}", r.text());
    }
    let ours = format!("http://127.0.0.1:{}", s.port);
    let r = s.post_form("/api/check", &[("Origin", &ours)], &[], &files);
    assert_eq!(r.status, 200, "{}", r.text());
    // No Origin (a tool, not a browser page) is not a cross-site request.
    assert_eq!(s.post_form("/api/check", &[], &[], &files).status, 200);
}

#[test]
fn an_upload_over_the_size_limit_gets_413_and_the_server_goes_on() {
    let s = Server::start(&["--max-file-size", "2K"]);
    let big = sample("2021-tongxin-county.json");
    assert!(big.len() > 2048);
    // A file over the cap gets its own row saying so; the rest goes on.
    let small = b"{}".to_vec();
    let r = s.post_form("/api/check", &[], &[], &[("file", "big.json", &big), ("file", "small.json", &small)]);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["reports"][0]["outcome"], "无法读取", "{v}");
    let why = v["reports"][0]["reason"].as_str().expect("reason");
    assert!(why.contains("big.json") && why.contains("超过上限 2 KB") && !why.contains("--"), "{why}");
    assert_eq!(v["reports"][1]["file"], "small.json", "{v}");
    // A request over the whole-request cap is refused too.
    let s2 = Server::start(&["--max-file-size", "1K", "--max-total-size", "1K"]);
    let r = s2.post_form("/api/check", &[], &[], &[("file", "a.json", &big), ("file", "b.json", &big)]);
    assert_eq!(r.status, 413, "{}", r.text());
    // Text fields are capped too, all together.
    let half = "某".repeat(200_000);
    let r = s.post_form("/api/template", &[], &[("year", "2025"), ("organs", &half), ("x", &half)], &[]);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("填写的内容太长"), "{}", r.text());
    // Both still serve.
    assert_eq!(s.get("/").status, 200);
    assert_eq!(s2.get("/").status, 200);
}

#[test]
fn file_names_from_the_browser_never_become_paths() {
    let s = Server::start(&[]);
    let good = sample("broken-2021.json");
    let names = [
        "../../etc/passwd.json",
        "/etc/passwd.json",
        "..\\..\\windows\\passwd.json",
        "C:\\Windows\\passwd.json",
        "a/../../../passwd.json",
        "../../etc/passwd.docx",
    ];
    let files: Vec<(&str, &str, &[u8])> = names.iter().map(|n| ("file", *n, good.as_slice())).collect();
    let r = s.post_form("/api/check", &[], &[], &files);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let reports = v["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), names.len());
    for (rep, name) in reports.iter().zip(names) {
        let shown = rep["file"].as_str().expect("file");
        assert!(
            !shown.contains("..") && !shown.starts_with('/') && !shown.contains('\\') && !shown.contains('\0'),
            "{name:?} shown as {shown:?}"
        );
    }
    assert_eq!(reports[0]["file"], "etc/passwd.json");
    assert_eq!(reports[0]["errors"], 1, "read as the report it is");
    // A .docx that is not one: unusable, named as shown, no temp path.
    assert_eq!(reports[5]["outcome"], "无法读取");
    let why = reports[5]["reason"].as_str().expect("reason");
    assert!(why.contains("etc/passwd.docx") && !why.contains("xxgk-serve-"), "{why}");
    // Nothing was written outside the server's temporary folder, and the
    // request's folder is gone once answered.
    assert!(files_under(s.tmp.path()).is_empty(), "{:?}", files_under(s.tmp.path()));
    assert!(!std::path::Path::new("/etc/passwd.json").exists());
    // A NUL in the name: refused as a malformed form, or shown without it.
    let r = s.post_form("/api/check", &[], &[], &[("file", "pass\u{0}wd.json", good.as_slice())]);
    match r.status {
        400 => assert!(r.text().contains("请求有误"), "{}", r.text()),
        200 => assert_eq!(r.json()["reports"][0]["file"], "passwd.json"),
        other => panic!("NUL in a name: {other}"),
    }
    // A download name made from such a name is safe too.
    let job = v["job"].as_str().expect("job");
    let d = s.get(&format!("/api/job/{job}/0/json"));
    assert_eq!(d.status, 200);
    let cd = d.header("content-disposition").expect("disposition");
    let encoded = cd.split("filename*=UTF-8''").nth(1).expect("filename*").split(';').next().unwrap_or("");
    let decoded = percent_decode(encoded);
    assert!(!decoded.contains(['/', '\\']) && !decoded.contains(".."), "{cd} → {decoded}");
    assert!(!cd.split("filename*").next().unwrap_or("").contains('/'), "{cd}");
    assert!(cd.contains("filename=\"passwd.json\""), "{cd}");
    // The annotated workbook of a report with errors, as `check -o` writes it.
    let a = s.get(&format!("/api/job/{job}/0/annotated"));
    assert_eq!(a.status, 200, "{}", a.text());
    assert!(a.body.starts_with(b"PK"));
    let cd = a.header("content-disposition").expect("disposition");
    assert!(cd.contains(".%E9%97%AE%E9%A2%98%E6%A0%87%E6%B3%A8.xlsx"), "passwd.问题标注.xlsx: {cd}");
}

#[test]
fn fifty_uploads_at_once_each_get_their_own_results() {
    let s = Server::start(&[]);
    let json = sample("broken-2021.json");
    let xlsx = converted("2021-tongxin-county.json", "xlsx");
    let start = Instant::now();
    let results: Vec<(usize, u16, serde_json::Value)> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                let (s, json, xlsx) = (&s, &json, &xlsx);
                sc.spawn(move || {
                    let (name, bytes) =
                        if i % 2 == 0 { (format!("单位{i}.json"), json) } else { (format!("单位{i}.xlsx"), xlsx) };
                    let r = s.post_form("/api/check", &[], &[], &[("file", &name, bytes)]);
                    let v = if r.status == 200 { r.json() } else { serde_json::Value::Null };
                    (i, r.status, v)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let elapsed = start.elapsed();
    let mut jobs = std::collections::HashSet::new();
    for (i, status, v) in &results {
        assert_eq!(*status, 200, "upload {i}");
        let rep = &v["reports"][0];
        let ext = if i % 2 == 0 { "json" } else { "xlsx" };
        assert_eq!(rep["file"], format!("单位{i}.{ext}"), "upload {i} sees its own file");
        assert!(rep.get("unusable").is_none(), "{:?}", rep.get("unusable"));
        let expect_errors = if i % 2 == 0 { 1 } else { 0 };
        assert_eq!(rep["errors"], expect_errors, "upload {i}");
        assert!(jobs.insert(v["job"].as_str().expect("job").to_string()), "job ids are unique");
    }
    println!("50 concurrent uploads (25 JSON, 25 xlsx read in workers): all 200 in {:.1} s", elapsed.as_secs_f64());
    // One tab's job cannot be reached with another id.
    assert_eq!(s.get(&format!("/api/job/{}/0/json", "0".repeat(32))).status, 404);
    assert_eq!(s.get("/api/job/..%2F..%2Fetc/0/json").status, 400);
    // Malformed addresses and methods: Chinese pages, never the framework's English.
    for path in ["/api/job/x/abc/json", "/api/job/x/0/json?inline=%ZZ", "/api/batch/zz", "/api/batch/zz/summary.xlsx"] {
        let r = s.get(path);
        assert_eq!(r.status, 400, "{path}");
        assert!(r.text().contains("请求有误"), "{path}: {}", r.text());
    }
    let r = s.get("/api/check");
    assert_eq!(r.status, 405);
    assert!(r.text().contains("请求方式不对"), "{}", r.text());
    assert!(files_under(s.tmp.path()).is_empty());
}

#[test]
fn a_bad_file_then_a_good_one() {
    // The second upload is stored as 0002.xlsx: its worker panics.
    let s = Server::start_with(&[], &[("XXGK_DEBUG_PANIC_ON", "0002")]);
    let xlsx = converted("2021-tongxin-county.json", "xlsx");
    // Not a zip; a worker that panics; garbage in a PDF.
    let bad: [(&str, &str, &[u8]); 3] = [
        ("file", "损坏.docx", b"this is not a docx"),
        ("file", "boom.xlsx", xlsx.as_slice()),
        ("file", "x.pdf", b"%PDF-1.4 garbage"),
    ];
    let r = s.post_form("/api/check", &[], &[], &bad);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    for rep in v["reports"].as_array().expect("reports") {
        assert_eq!(rep["outcome"], "无法读取", "{rep}");
        let why = rep["reason"].as_str().unwrap_or_else(|| panic!("{} should be unusable", rep["file"]));
        assert!(!why.is_empty() && !why.contains("xxgk-serve-") && !why.contains("--"), "{why}");
    }
    // A malformed form and a broken request line.
    let host = s.host();
    let r = s.request(
        "POST",
        "/api/check",
        &[("Host", &host), ("Content-Type", "multipart/form-data; boundary=x")],
        b"--x\r\ngarbage",
    );
    assert_eq!(r.status, 400);
    assert!(r.text().contains("请求有误"), "{}", r.text());
    let r = s.request("POST", "/api/check", &[("Host", &host), ("Content-Type", "text/plain")], b"hello");
    assert_eq!(r.status, 400, "{}", r.text());
    // Still serving, and a good file reads.
    let r = s.post_form("/api/check", &[], &[], &[("file", "good.xlsx", &xlsx)]);
    assert_eq!(r.status, 200);
    let rep = &r.json()["reports"][0];
    assert_eq!(rep["organ"], "同心县", "{}", rep["file"]);
    assert!(rep["tables"].as_str().expect("tables").contains("data-cell=\"t3."), "tables with cell ids");
}

#[test]
fn a_batch_reports_progress_and_gives_the_summary_and_a_zip() {
    let s = Server::start(&[]);
    let files: Vec<(&str, String, Vec<u8>)> = vec![
        ("file", "县/a.json".into(), sample("2021-tongxin-county.json")),
        ("file", "县/b.json".into(), sample("broken-2021.json")),
        ("file", "县/c.xlsx".into(), converted("2020-enhe-town.json", "xlsx")),
        ("file", "县/说明.exe".into(), b"MZ".to_vec()),
        ("previous", "上年/a.json".into(), sample("broken-2021-previous.json")),
    ];
    let f: Vec<(&str, &str, &[u8])> = files.iter().map(|(a, b, c)| (*a, b.as_str(), c.as_slice())).collect();
    let r = s.post_form("/api/batch", &[], &[], &f);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let job = v["job"].as_str().expect("job").to_string();
    assert_eq!(v["total"], 4);
    let deadline = Instant::now() + Duration::from_secs(300);
    let state = loop {
        let st = s.get(&format!("/api/batch/{job}")).json();
        if st["finished"] == true {
            break st;
        }
        assert!(Instant::now() < deadline, "batch did not finish");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(state.get("error").is_none(), "{:?}", state.get("error"));
    assert_eq!(state["done"], 4);
    let rows = state["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["source"], "县/a.json");
    assert!(state["findings"].as_array().expect("findings").iter().any(|f| f[1]["severity"] == "error"));
    // A file of another kind has its own row, counted apart.
    assert_eq!(rows[3]["source"], "县/说明.exe");
    assert_eq!(rows[3]["status"], "跳过");
    assert_eq!(state["counts"]["skipped"], 1);
    assert_eq!(state["counts"]["read"], 3);
    assert!(state["summary"].as_str().expect("summary").contains("1 个跳过"), "{}", state["summary"]);
    assert!(!state["totals"].as_array().expect("totals").is_empty());
    // 县/b.json has errors: its annotated workbook; 县/a.json has none.
    assert_eq!(rows[1]["annotated"].as_str().map(|a| a.starts_with("annotated/")), Some(true));
    let a = s.get(&format!("/api/batch/{job}/annotated/1"));
    assert_eq!(a.status, 200);
    assert!(a.body.starts_with(b"PK"));
    let a = s.get(&format!("/api/batch/{job}/annotated/0"));
    assert_eq!(a.status, 404);
    assert!(a.text().contains("没有问题标注工作簿"), "{}", a.text());
    assert_eq!(s.get(&format!("/api/batch/{job}/annotated/..%2F..%2Fx")).status, 400);
    let x = s.get(&format!("/api/batch/{job}/summary.xlsx"));
    assert_eq!(x.status, 200);
    assert!(x.body.starts_with(b"PK"));
    let z = s.get(&format!("/api/batch/{job}/outputs.zip"));
    assert_eq!(z.status, 200);
    let names = zip_names(&z.body);
    assert!(names.contains(&"summary.xlsx".to_string()), "{names:?}");
    assert!(names.iter().filter(|n| n.starts_with("reports/")).count() == 3, "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("annotated/")), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("..") || n.starts_with('/')));
}

#[test]
fn templates_come_as_a_zip_with_carry_overs() {
    let s = Server::start(&[]);
    let prev = sample("2021-tongxin-county.json");
    let r = s.post_form(
        "/api/template",
        &[],
        &[("year", "2022"), ("organs", "同心县\n同心县教育局\n\n同心县教育局\n")],
        &[("previous", "上年.json", &prev)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["rows"][0]["organ"], "同心县");
    assert_eq!(v["rows"][0]["prefilled"], true, "{v}");
    assert_eq!(v["rows"][1]["prefilled"], false, "{v}");
    assert!(v["rows"][1]["note"].as_str().expect("note").contains("没有找到"), "{v}");
    let r = s.get(&format!("/api/template/{}", v["job"].as_str().expect("job")));
    assert_eq!(r.status, 200, "{}", r.text());
    let mut names = zip_names(&r.body);
    names.sort();
    assert_eq!(names, ["同心县.docx", "同心县.xlsx", "同心县教育局.docx", "同心县教育局.xlsx"]);
    // Read the workbooks back with xxgk: 同心县's carry-over comes from
    // last year's report (its 结转下年度继续办理), the other organ's is blank.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&r.body)).expect("zip");
    let carry = |name: &str, z: &mut zip::ZipArchive<std::io::Cursor<&Vec<u8>>>| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut z.by_name(name).expect("entry"), &mut bytes).expect("read");
        let path = dir.path().join(format!("{}.xlsx", name.len()));
        std::fs::write(&path, bytes).expect("write");
        let out =
            std::process::Command::new(env!("CARGO_BIN_EXE_xxgk")).arg("convert").arg(&path).output().expect("convert");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        (v["year"].clone(), v["cells"]["t3.carry_in.total"].clone())
    };
    let last: serde_json::Value = serde_json::from_slice(&prev).expect("json");
    let (year, value) = carry("同心县.xlsx", &mut z);
    assert_eq!(year, 2022);
    assert_eq!(value, last["cells"]["t3.carry_out.total"]);
    assert!(!value.is_null());
    assert!(carry("同心县教育局.xlsx", &mut z).1.is_null());
    // The organs from a workbook (one per row of the first column, under a
    // header), read in a worker; a broken list is named in the message.
    let dir2 = tempfile::tempdir().expect("temp dir");
    let list = dir2.path().join("名单.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, name) in ["机关名称", "某某县财政局", "某某县民政局", "某某县财政局"].iter().enumerate()
    {
        ws.write(i as u32, 0, *name).expect("write");
        ws.write(i as u32, 1, "备注").expect("write");
    }
    wb.save(&list).expect("save");
    let bytes = std::fs::read(&list).expect("read");
    let r =
        s.post_form("/api/template", &[], &[("year", "2025"), ("organs", "")], &[("organs_file", "名单.xlsx", &bytes)]);
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.get(&format!("/api/template/{}", r.json()["job"].as_str().expect("job")));
    let mut names = zip_names(&r.body);
    names.sort();
    assert_eq!(names, ["某某县民政局.docx", "某某县民政局.xlsx", "某某县财政局.docx", "某某县财政局.xlsx"]);
    let r =
        s.post_form("/api/template", &[], &[("year", "2025")], &[("organs_file", "坏名单.xlsx", b"not a workbook")]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("坏名单.xlsx") && !r.text().contains("xxgk-serve-"), "{}", r.text());
    let r = s.post_form("/api/template", &[], &[("year", "abc"), ("organs", "x")], &[]);
    assert_eq!(r.status, 400);
    assert!(r.text().contains("年度"));
}

#[test]
fn last_years_report_is_compared_one_to_one_or_matched_by_organ() {
    let s = Server::start(&[]);
    let this = sample("broken-2021.json");
    let last = sample("broken-2021-previous.json");
    let codes = |v: &serde_json::Value, i: usize| -> Vec<String> {
        v["reports"][i]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["code"].as_str().unwrap_or("").to_string())
            .collect()
    };
    // One file and one previous report: compared as `check --previous`.
    let r = s.post_form("/api/check", &[], &[], &[("file", "本年.json", &this), ("previous", "上年.json", &last)]);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["reports"][0]["previous"], "上年.json");
    assert!(codes(&v, 0).contains(&"X-SAME-TABLE".to_string()), "{:?}", codes(&v, 0));
    // Several files: each matched with last year's by organ and year, as
    // `--previous-dir` (同心县 2021 with a 2020 report of 同心县 made from it).
    let this = sample("2021-tongxin-county.json");
    let mut last: serde_json::Value = serde_json::from_slice(&this).expect("json");
    last["year"] = 2020.into();
    let last = serde_json::to_vec(&last).expect("json");
    let other = sample("2020-enhe-town.json");
    let r = s.post_form(
        "/api/check",
        &[],
        &[],
        &[("file", "a.json", &this), ("file", "b.json", &other), ("previous", "上年/同心县.json", &last)],
    );
    let v = r.json();
    assert_eq!(v["reports"][0]["previous"], "上年/同心县.json");
    assert!(codes(&v, 0).contains(&"X-SAME-TABLE".to_string()));
    assert!(v["reports"][1].get("previous").is_none(), "恩和镇 has no report of last year");
    // An unreadable previous report is said on the report, which is still
    // checked (without the cross-year rules).
    let r = s.post_form("/api/check", &[], &[], &[("file", "本年.json", &this), ("previous", "上年.docx", b"garbage")]);
    assert_eq!(r.status, 200);
    let v = r.json();
    assert!(codes(&v, 0).contains(&"X-PREV-UNREADABLE".to_string()), "{v}");
    let f = v["reports"][0]["findings"].as_array().expect("findings");
    let m = f.iter().find(|f| f["code"] == "X-PREV-UNREADABLE").expect("finding")["message"].as_str().expect("message");
    assert!(m.contains("上年.docx") && !m.contains("xxgk-serve-"), "{m}");
    // Without a previous report, no cross-year finding.
    let r = s.post_form("/api/check", &[], &[], &[("file", "本年.json", &this)]);
    assert!(!codes(&r.json(), 0).iter().any(|c| c.starts_with("X-")));
}

#[test]
fn the_publication_as_docx_html_and_pdf() {
    let s = Server::start(&[]);
    let r = s.post_form("/api/check", &[], &[], &[("file", "同心县.json", &sample("2021-tongxin-county.json"))]);
    let job = r.json()["job"].as_str().expect("job").to_string();
    let docx = s.get(&format!("/api/job/{job}/0/docx"));
    assert_eq!(docx.status, 200);
    assert!(docx.body.starts_with(b"PK"));
    assert!(docx.header("content-disposition").unwrap_or("").starts_with("attachment"));
    let html = s.get(&format!("/api/job/{job}/0/html?inline=1"));
    assert_eq!(html.status, 200);
    assert!(html.text().contains("同心县2021年政府信息公开工作年度报告"));
    assert!(html.header("content-disposition").unwrap_or("").starts_with("inline"));
    // A report with errors: refused (409) with what to do, unless allowed;
    // then the publication says it was made with errors.
    let r = s.post_form("/api/check", &[], &[], &[("file", "有错.json", &sample("broken-2021.json"))]);
    let job = r.json()["job"].as_str().expect("job").to_string();
    let refused = s.get(&format!("/api/job/{job}/0/docx"));
    assert_eq!(refused.status, 409, "{}", refused.text());
    assert!(refused.text().contains("1 个错误") && !refused.text().contains("--"), "{}", refused.text());
    let allowed = s.get(&format!("/api/job/{job}/0/docx?allow_errors=1"));
    assert_eq!(allowed.status, 200);
    let custom = serve_support::zip_entry(&allowed.body, "docProps/custom.xml");
    assert!(custom.contains("xxgk_published_with_errors"), "{custom}");
}

#[test]
#[ignore = "needs LibreOffice"]
fn the_publication_as_pdf() {
    let out = std::process::Command::new("soffice").arg("--version").output();
    assert!(
        out.is_ok_and(|o| o.status.success()),
        "this test needs LibreOffice (apt-get install libreoffice-writer-nogui)"
    );
    let s = Server::start(&[]);
    let r = s.post_form("/api/check", &[], &[], &[("file", "同心县.json", &sample("2021-tongxin-county.json"))]);
    let job = r.json()["job"].as_str().expect("job").to_string();
    let pdf = s.get(&format!("/api/job/{job}/0/pdf"));
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert!(pdf.body.starts_with(b"%PDF"));
}

/// Without LibreOffice the PDF download says why, for the page, and the
/// server goes on.
#[test]
fn a_pdf_without_libreoffice_says_why() {
    let s = Server::start_with(&[], &[("XXGK_SOFFICE", "none")]);
    let r = s.post_form("/api/check", &[], &[], &[("file", "同心县.json", &sample("2021-tongxin-county.json"))]);
    let job = r.json()["job"].as_str().expect("job").to_string();
    let pdf = s.get(&format!("/api/job/{job}/0/pdf"));
    assert_eq!(pdf.status, 500, "{}", pdf.text());
    assert!(
        pdf.text().contains("无法生成 PDF") && pdf.text().contains("Word") && !pdf.text().contains("-o "),
        "{}",
        pdf.text()
    );
    assert_eq!(s.get("/").status, 200);
}

#[test]
fn a_port_in_use_is_said_in_chinese() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["serve", "--port", &port])
        .output()
        .expect("run xxgk serve");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("无法使用端口 {port}")) && err.contains("--port"), "{err}");
}

/// `%E9%97%AE` → the UTF-8 text it encodes.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
