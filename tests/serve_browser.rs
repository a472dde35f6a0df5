//! `xxgk serve` in a real browser: Debian's chromium driven through
//! chromedriver (WebDriver, with fantoccini). The four pages are used as a
//! clerk would: files chosen, buttons clicked, cells clicked, files
//! downloaded and read back with xxgk. A screenshot of each page is kept
//! (its path is printed).
//!
//! The test needs chromium and chromedriver: it is `#[ignore = "needs …"]`
//! and fails without them (CI runs it with `--include-ignored`).

mod serve_support;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use serve_support::{root, zip_entry, zip_names, Server};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/lib/chromium")]) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// chromium and chromedriver; the test fails without them.
fn browser() -> (PathBuf, PathBuf) {
    let found = which(&["chromium", "chromium-browser", "google-chrome"]).zip(which(&["chromedriver"]));
    found.expect("this test needs chromium and chromedriver (apt-get install chromium chromium-driver)")
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

async fn start(chromium: &Path, chromedriver: &Path, downloads: &Path, profile: &Path) -> (Driver, Client) {
    let port = free_port();
    let driver = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver(driver);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium.display().to_string(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                "safebrowsing.enabled": false,
            },
        }
    });
    let Value::Object(caps) = caps else { unreachable!() };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");
    (driver, client)
}

async fn wait_css(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(120))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

/// Wait for a finished download whose name ends with `ext`.
async fn downloaded(dir: &Path, ext: &str) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("downloads")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(ext))
            .collect();
        if let Some(p) = done.into_iter().next() {
            return p;
        }
        assert!(Instant::now() < deadline, "no {ext} downloaded into {}", dir.display());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn shot(c: &Client, dir: &Path, name: &str) {
    if name != "check.png" {
        c.execute("window.scrollTo(0, 0)", vec![]).await.expect("scroll");
    }
    let png = c.screenshot().await.expect("screenshot");
    let path = dir.join(name);
    std::fs::write(&path, png).expect("save screenshot");
    println!("screenshot: {}", path.display());
}

/// Type `what` into `input`: for a file input, a file (several joined by
/// newlines) or a folder to choose.
async fn choose(c: &Client, input: &str, what: &str) {
    let field = c.find(Locator::Css(input)).await.unwrap_or_else(|e| panic!("{input}: {e}"));
    field.send_keys(what).await.unwrap_or_else(|e| panic!("choose {what} in {input}: {e}"));
}

async fn click(c: &Client, css: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    e.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Open the page and wait for its script.
async fn open(c: &Client, server: &Server) {
    c.goto(&server.url("/")).await.expect("open the page");
    wait_css(c, "body[data-ready='1']").await;
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
}

fn read_back(path: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_xxgk")).arg("convert").arg(path).output().expect("xxgk convert");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromedriver"]
async fn the_four_pages_in_a_real_browser() {
    let (chromium, chromedriver) = browser();
    let server = Server::start(&[]);
    let work = tempfile::tempdir().expect("temp dir");
    let downloads = work.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads dir");
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots dir");
    let (_driver, c) = start(&chromium, &chromedriver, &downloads, &work.path().join("profile")).await;

    // 检查: the broken sample.
    open(&c, &server).await;
    let sample = root().join("samples/broken-2019.json");
    choose(&c, "#check-file", &sample.display().to_string()).await;
    click(&c, "#check-go").await;
    wait_css(&c, "article.report").await;
    let red = c.find_all(Locator::Css("td.bad")).await.expect("red cells");
    assert!(red.len() >= 3, "red cells: {}", red.len());
    let findings = text(&c, ".findings").await;
    assert!(findings.contains("T3-BALANCE") && findings.contains("表三·自然人"), "{findings}");
    // The cell of 表三 一、本年新收 · 自然人: its findings alone.
    let cell = c.find(Locator::Css("td[data-cell='t3.new.natural']")).await.expect("the cell");
    assert!(cell.attr("class").await.expect("class").unwrap_or_default().contains("bad"));
    cell.click().await.expect("click the cell");
    // The cell is named as the form names it, not by an internal id.
    let title = text(&c, ".cell-title").await;
    assert!(title.contains("表三") && title.contains("自然人") && !title.contains("t3."), "{title}");
    // The report's first line says what to fix first.
    let first = text(&c, "article.report .first").await;
    assert!(first.contains("个错误") && first.contains("首先"), "{first}");
    let shown = text(&c, ".findings").await;
    assert!(shown.contains("T3-BALANCE") && !shown.contains("T4-GROUP-TOTAL"), "{shown}");
    assert!(shown.contains("公式") && shown.contains("差额"), "formula and difference: {shown}");
    // CHECK-SUSPECT's one explanation: 表三（七）总计·自然人, outlined.
    let suspect = c.find_all(Locator::Css("td.suspect")).await.expect("suspect cells");
    assert_eq!(suspect.len(), 1, "one outlined cell");
    assert_eq!(suspect[0].attr("data-cell").await.expect("attr").as_deref(), Some("t3.r7.natural"));
    suspect[0].click().await.expect("click the suspect");
    let shown = text(&c, ".findings").await;
    assert!(shown.contains("CHECK-SUSPECT") && shown.contains("最可能出错的格"), "{shown}");
    click(&c, "td[data-cell='t3.new.natural']").await;
    // 表三 in view: the red cells, the outlined suspect, the clicked cell's findings.
    let to_t3 = "document.querySelector(\"td[data-cell='t3.new.natural']\").closest('table').previousElementSibling.scrollIntoView()";
    c.execute(to_t3, vec![]).await.expect("scroll");
    shot(&c, &shots, "check.png").await;
    // The filled workbook, downloaded and read back.
    click(&c, "a[data-kind='xlsx']").await;
    let xlsx = downloaded(&downloads, "-填报表.xlsx").await;
    let back = read_back(&xlsx);
    let original: Value = serde_json::from_slice(&std::fs::read(&sample).expect("sample")).expect("JSON");
    assert_eq!(back["cells"]["t3.r7.natural"], original["cells"]["t3.r7.natural"]);
    assert_eq!(back["cells"]["t2.s5.license.decisions"], original["cells"]["t2.s5.license.decisions"]);
    assert_eq!(back["edition"], "2019");
    // The annotated workbook too.
    click(&c, "a[data-kind='annotated']").await;
    let annotated = downloaded(&downloads, ".问题标注.xlsx").await;
    assert!(std::fs::read(&annotated).expect("annotated").starts_with(b"PK"));

    // A second tab works at once and sees only its own files.
    let first = c.window().await.expect("this tab");
    let second = c.new_window(true).await.expect("a second tab").handle;
    c.switch_to_window(second).await.expect("switch");
    open(&c, &server).await;
    let other = root().join("samples/broken-2021.json");
    choose(&c, "#check-file", &other.display().to_string()).await;
    click(&c, "#check-go").await;
    wait_css(&c, "article.report").await;
    let there = text(&c, "#check-results").await;
    assert!(there.contains("broken-2021.json") && !there.contains("broken-2019.json"), "{there}");
    let link = |c: &Client| {
        let c = c.clone();
        async move {
            c.find(Locator::Css("a[data-kind='json']"))
                .await
                .expect("link")
                .attr("href")
                .await
                .expect("href")
                .unwrap_or_default()
        }
    };
    let job_there = link(&c).await;
    c.close_window().await.expect("close the second tab");
    c.switch_to_window(first).await.expect("switch back");
    let here = text(&c, "#check-results").await;
    assert!(here.contains("broken-2019.json") && !here.contains("broken-2021.json"), "{here}");
    assert_ne!(link(&c).await, job_there, "each tab has its own job");

    // 批量: a folder of three reports (chosen as a folder: names keep their folder).
    click(&c, "nav .tab[data-page='batch']").await;
    let county = work.path().join("县");
    std::fs::create_dir_all(&county).expect("folder");
    for f in ["2021-tongxin-county.json", "broken-2021.json", "2020-enhe-town.json"] {
        std::fs::copy(root().join("samples").join(f), county.join(f)).expect("copy");
    }
    choose(&c, "#batch-folder", &county.display().to_string()).await;
    click(&c, "#batch-go").await;
    wait_css(&c, "#batch-results table.list").await;
    let results = text(&c, "#batch-results").await;
    assert!(results.contains("报送情况") && results.contains("问题清单") && results.contains("汇总"), "{results}");
    assert!(results.contains("META-YEAR") && results.contains("县/broken-2021.json"), "{results}");
    let rows = c.find_all(Locator::Css("#batch-results table.list:first-of-type tbody tr")).await.expect("rows");
    assert_eq!(rows.len(), 3);
    let status = text(&c, "#batch-status").await;
    assert!(status.contains("共 3 个文件：3 份报告已读取"), "{status}");
    assert!(results.contains("汇总") && results.contains("计入"), "{results}");
    shot(&c, &shots, "batch.png").await;

    // 模板: two organs → a zip.
    click(&c, "nav .tab[data-page='template']").await;
    let year = c.find(Locator::Css("#template-year")).await.expect("year");
    year.clear().await.expect("clear");
    year.send_keys("2025").await.expect("year");
    choose(&c, "#template-organs", "某某县人民政府办公室\n某某县教育局").await;
    click(&c, "#template-go").await;
    let zip = downloaded(&downloads, ".zip").await;
    let mut names = zip_names(&std::fs::read(&zip).expect("zip"));
    names.sort();
    assert_eq!(
        names,
        ["某某县人民政府办公室.docx", "某某县人民政府办公室.xlsx", "某某县教育局.docx", "某某县教育局.xlsx"]
    );
    let status = text(&c, "#template-status").await;
    assert!(status.contains("已生成"), "{status}");
    shot(&c, &shots, "template.png").await;

    // 发布: the publication, previewed.
    click(&c, "nav .tab[data-page='publish']").await;
    let good = root().join("samples/2021-tongxin-county.json");
    choose(&c, "#publish-file", &good.display().to_string()).await;
    click(&c, "#publish-go").await;
    wait_css(&c, "#publish-results iframe.preview").await;
    click(&c, "#publish-results a[data-kind='docx']").await;
    let docx = downloaded(&downloads, ".docx").await;
    let back = read_back(&docx);
    assert_eq!(back["organ"], "同心县");
    tokio::time::sleep(Duration::from_millis(500)).await;
    shot(&c, &shots, "publish.png").await;
    std::fs::remove_file(&docx).expect("remove");

    // 发布 a report with errors: refused until the clerk confirms; the
    // publication then says it was published with errors.
    let broken = root().join("samples/broken-2021.json");
    choose(&c, "#publish-file", &broken.display().to_string()).await;
    click(&c, "#publish-go").await;
    wait_css(&c, "#publish-anyway").await;
    let status = text(&c, "#publish-status").await;
    assert!(status.contains("个错误") && status.contains("不能直接生成公开版"), "{status}");
    assert!(c.find_all(Locator::Css("#publish-results a[data-kind='docx']")).await.expect("links").is_empty());
    click(&c, "#publish-anyway").await;
    click(&c, "#publish-results a[data-kind='docx']").await;
    let docx = downloaded(&downloads, ".docx").await;
    let custom = zip_entry(&std::fs::read(&docx).expect("docx"), "docProps/custom.xml");
    assert!(custom.contains("xxgk_published_with_errors"), "{custom}");

    // 检查 with files that are not reports: counted apart, each said.
    click(&c, "nav .tab[data-page='check']").await;
    let odd = work.path().join("odd");
    std::fs::create_dir_all(&odd).expect("folder");
    std::fs::write(odd.join("损坏.docx"), b"not a docx").expect("write");
    std::fs::write(odd.join("~$报告.docx"), b"lock").expect("write");
    std::fs::copy(root().join("samples/2021-tongxin-county.json"), odd.join("同心县.json")).expect("copy");
    choose(&c, "#check-folder", &odd.display().to_string()).await;
    click(&c, "#check-go").await;
    wait_css(&c, "article.report.not-read").await;
    let status = text(&c, "#check-status").await;
    // The file chosen first on this page is still chosen: 4 files.
    assert!(
        status.contains("共 4 个文件：2 份已读取") && status.contains("1 份无法读取") && status.contains("1 个跳过"),
        "{status}"
    );
    let results = text(&c, "#check-results").await;
    assert!(results.contains("临时锁定文件") && !results.contains("--") && !results.contains("EOCD"), "{results}");

    c.close().await.expect("close the browser");
}
