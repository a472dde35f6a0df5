// xxgk serve: the page's behaviour. Plain JavaScript, no library: it posts
// forms to the JSON endpoints and builds the results with DOM calls (every
// text from a report goes in as text, never as HTML; the tables' HTML is
// made and escaped by the server).
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// ---- tabs
function show(page) {
  for (const t of document.querySelectorAll("nav .tab")) {
    t.setAttribute("aria-selected", t.dataset.page === page ? "true" : "false");
  }
  for (const p of document.querySelectorAll(".page")) p.hidden = p.id !== "page-" + page;
  if (location.hash !== "#" + page) history.replaceState(null, "", "#" + page);
}

// ---- sending
function status(id, text, error) {
  const s = $(id);
  s.textContent = text || "";
  s.classList.toggle("error", !!error);
}

// The message of a refusal: the server answers with a Chinese page.
async function failure(resp) {
  const text = await resp.text();
  const doc = new DOMParser().parseFromString(text, "text/html");
  const p = doc.getElementById("error");
  return (p ? p.textContent : "") || ("服务器返回错误（" + resp.status + "）");
}

async function post(url, data) {
  let resp;
  try {
    resp = await fetch(url, { method: "POST", body: data });
  } catch (e) {
    throw new Error("无法连接 xxgk：请确认 xxgk serve 仍在运行。");
  }
  if (!resp.ok) throw new Error(await failure(resp));
  return resp;
}

// Files dropped onto a form (with the folders' files), by form id.
const dropped = {};

async function entryFiles(entry, prefix, out) {
  if (entry.isFile) {
    const f = await new Promise((ok, no) => entry.file(ok, no));
    out.push([f, prefix + f.name]);
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((ok, no) => reader.readEntries(ok, no));
      if (!batch.length) break;
      for (const e of batch) await entryFiles(e, prefix + entry.name + "/", out);
    }
  }
}

function dropZone(form, field) {
  form.addEventListener("dragover", (e) => { e.preventDefault(); form.classList.add("dragging"); });
  form.addEventListener("dragleave", () => form.classList.remove("dragging"));
  form.addEventListener("drop", async (e) => {
    e.preventDefault();
    form.classList.remove("dragging");
    const out = [];
    const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    if (entries.length) {
      for (const en of entries) await entryFiles(en, "", out);
    } else {
      for (const f of e.dataTransfer.files) out.push([f, f.name]);
    }
    dropped[form.id] = (dropped[form.id] || []).concat(out.map(([f, n]) => [field, f, n]));
    const s = form.querySelector(".hint");
    if (s) s.textContent = "已拖入 " + dropped[form.id].length + " 个文件。";
  });
}

// The form's data: its inputs, folder files under their relative paths,
// and dropped files.
function formData(form) {
  const data = new FormData();
  for (const input of form.querySelectorAll("input, textarea")) {
    if (!input.name) continue;
    if (input.type === "file") {
      for (const f of input.files) data.append(input.name, f, f.webkitRelativePath || f.name);
    } else {
      data.append(input.name, input.value);
    }
  }
  for (const [field, f, name] of dropped[form.id] || []) data.append(field, f, name);
  return data;
}

function fileCount(data, field) {
  return data.getAll(field).filter((f) => f instanceof File && f.name).length;
}

// ---- 检查
function findingBox(f, note, place) {
  const box = el("div", { class: "finding " + (f.severity === "error" ? "error" : "warning") },
    el("div", {}, el("strong", {}, f.severity === "error" ? "错误" : "警告"), " ", el("span", { class: "code" }, f.code)),
    el("div", { class: "message" }, f.message));
  if (f.formula) box.append(el("div", { class: "formula" }, "公式：" + f.formula));
  if (f.difference !== undefined && f.difference !== null) box.append(el("div", { class: "formula" }, "差额：" + f.difference));
  if (note) box.append(el("div", { class: "formula" }, note));
  if (place) box.append(el("div", { class: "where" }, "位置：" + place));
  return box;
}

// Save a response as a file (its name from Content-Disposition).
async function save(resp, fallback) {
  const cd = resp.headers.get("content-disposition") || "";
  const m = /filename\*=UTF-8''([^;]+)/.exec(cd);
  const name = m ? decodeURIComponent(m[1]) : fallback;
  const url = URL.createObjectURL(await resp.blob());
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}

// A download that says why when it fails (a PDF without LibreOffice, a
// publication refused): fetched, then saved; the message goes to `statusId`.
async function fetchDownload(url, statusId) {
  let resp;
  try {
    resp = await fetch(url);
  } catch (e) {
    status(statusId, "无法连接 xxgk：请确认 xxgk serve 仍在运行。", true);
    return;
  }
  if (!resp.ok) { status(statusId, await failure(resp), true); return; }
  const name = await save(resp, "download");
  status(statusId, "已下载：" + name);
}

function downloads(job, n, kinds, statusId, query) {
  const names = { json: "JSON", xlsx: "填报表（xlsx）", docx: "公开版（docx）", html: "网页版（html）", pdf: "PDF", annotated: "问题标注表（xlsx）" };
  const d = el("div", { class: "downloads" });
  for (const k of kinds) {
    const a = el("a", { class: "button secondary", href: `/api/job/${job}/${n}/${k}` + (query || ""), "data-kind": k }, "下载" + names[k]);
    a.addEventListener("click", (e) => { e.preventDefault(); fetchDownload(a.getAttribute("href"), statusId); });
    d.append(a);
  }
  return d;
}

// What the counts of a check say, each kind apart.
function countsLine(reports) {
  const by = (o) => reports.filter((r) => r.outcome === o).length;
  const read = reports.filter((r) => r.outcome === "已读取");
  const bad = read.filter((r) => r.errors > 0).length;
  let s = `共 ${reports.length} 个文件：${read.length} 份已读取（${bad} 份有错误，${read.length - bad} 份未发现错误）`;
  s += `，${by("无法读取")} 份无法读取，${by("不是年报")} 份不是年报，${by("跳过")} 个跳过。`;
  return s;
}

function reportCard(job, n, r, statusId) {
  const card = el("article", { class: "report", "data-index": String(n) });
  const title = el("h3", {}, r.file);
  card.append(title);
  if (r.outcome !== "已读取") {
    card.classList.add("not-read");
    card.append(el("p", { class: r.outcome === "跳过" ? "skipped" : "unusable" }, r.outcome + "：" + (r.reason || "")));
    return card;
  }
  const badge = r.errors ? el("span", { class: "badge err" }, r.errors + " 个错误")
    : r.warnings ? el("span", { class: "badge warn" }, r.warnings + " 个警告") : el("span", { class: "badge ok" }, "未发现问题");
  title.append(badge);
  card.append(el("p", { class: "meta" }, [r.organ || "机关不明", r.year ? r.year + "年" : "年度不明", r.edition].join("　") +
    (r.previous ? "　对比的上年报告：" + r.previous : "")));
  // The summary line: what to fix first (the findings come errors first,
  // the most likely wrong cell before the rest).
  const first = r.findings.find((f) => f.severity === "error");
  if (first) {
    const i = r.findings.indexOf(first);
    card.append(el("p", { class: "first" }, el("strong", {}, `${r.errors} 个错误，${r.warnings} 个警告。首先：`), first.message,
      r.places[i] ? `（${r.places[i]}）` : ""));
  } else if (r.warnings) {
    card.append(el("p", { class: "first ok" }, `没有错误，${r.warnings} 个警告，请逐条核实。`));
  }
  card.append(downloads(job, n, r.errors ? ["json", "xlsx", "annotated"] : ["json", "xlsx", "docx"], statusId));

  const tables = el("div", { class: "tables" });
  tables.innerHTML = r.tables; // made and escaped by the server
  const side = el("aside", { class: "side" }, el("h4", {}, "问题"), el("p", { class: "hint" }, "点击表格中的单元格，查看与它有关的问题。"));
  const list = el("div", { class: "findings" });
  side.append(list);
  const byCell = {};
  const box = (f) => findingBox(f, r.notes[r.findings.indexOf(f)], r.places[r.findings.indexOf(f)]);
  const cellOf = (c) => tables.querySelector(`td[data-cell="${CSS.escape(c)}"]`);
  for (const f of r.findings) {
    for (const c of f.cells || []) {
      (byCell[c] = byCell[c] || []).push(f);
      const td = cellOf(c);
      if (td) td.classList.add(f.severity === "error" ? "bad" : "warned");
    }
    // CHECK-SUSPECT: the cells of its one explanation are outlined.
    const fixes = f.fixes || [];
    if (fixes.length === 1) {
      for (const fix of fixes[0]) {
        const td = cellOf(fix.cell);
        if (td) { td.classList.add("suspect"); td.title = "最可能出错的格：应为 " + fix.expected; }
        if (!(f.cells || []).includes(fix.cell)) (byCell[fix.cell] = byCell[fix.cell] || []).push(f);
      }
    }
  }
  const showAll = () => {
    list.replaceChildren(...(r.findings.length ? r.findings.map(box) : [el("p", {}, "未发现问题。")]));
  };
  showAll();
  tables.addEventListener("click", (e) => {
    const td = e.target.closest("td[data-cell]");
    if (!td) return;
    for (const s of tables.querySelectorAll("td.selected")) s.classList.remove("selected");
    td.classList.add("selected");
    const id = td.dataset.cell;
    const fs = byCell[id] || [];
    const back = el("button", { type: "button", class: "button secondary" }, "显示全部问题");
    back.addEventListener("click", showAll);
    list.replaceChildren(el("p", { class: "cell-title" }, (td.dataset.label || "这一格") + "：" + (fs.length ? fs.length + " 个问题" : "没有问题")),
      ...fs.map(box), back);
  });
  card.append(el("div", { class: "layout" }, tables, side));

  const parts = el("div", { class: "parts" }, el("h4", {}, "正文"));
  if (r.preamble) parts.append(el("p", {}, r.preamble));
  for (const [heading, text] of r.parts) {
    parts.append(el("h4", {}, heading));
    parts.append(el("p", {}, text || "（空）"));
  }
  card.append(parts);
  return card;
}

async function runCheck(e) {
  e.preventDefault();
  const form = $("check-form");
  const data = formData(form);
  if (!fileCount(data, "file")) { status("check-status", "请先选择要检查的报告文件。", true); return; }
  status("check-status", "正在读取和检查……");
  $("check-results").replaceChildren();
  try {
    const res = await (await post("/api/check", data)).json();
    status("check-status", countsLine(res.reports));
    $("check-results").replaceChildren(...res.reports.map((r, n) => reportCard(res.job, n, r, "check-status")));
    // The first report with errors, its first error, in view.
    const firstBad = document.querySelector("#check-results .report .first");
    if (firstBad) firstBad.scrollIntoView({ block: "start" });
  } catch (err) {
    status("check-status", err.message, true);
  }
}

// ---- 批量
function listTable(head, rows) {
  return el("table", { class: "list" },
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))));
}

function batchResults(job, s) {
  const out = [];
  out.push(el("div", { class: "downloads" },
    el("a", { class: "button", href: `/api/batch/${job}/summary.xlsx`, download: "" }, "下载汇总表 summary.xlsx"),
    el("a", { class: "button secondary", href: `/api/batch/${job}/outputs.zip`, download: "" }, "下载全部结果（zip）")));
  out.push(el("p", { class: "summary" }, s.summary));
  if (s.previous_unreadable.length) {
    out.push(el("p", { class: "hint" }, "无法读取或无法配对的上年报告（相应机关未做跨年度检查）：" +
      s.previous_unreadable.map(([f, why]) => f + "（" + why + "）").join("；")));
  }
  out.push(el("h3", {}, "报送情况"));
  out.push(listTable(["机关", "年度", "格式版本", "源文件", "错误数", "警告数", "状态", "汇总", "对比的上年报告", "问题标注"],
    s.rows.map((r, i) => [r.organ, r.year || "", r.edition, r.source, r.status === "跳过" ? "" : r.errors, r.status === "跳过" ? "" : r.warnings,
      r.reason ? r.status + "：" + r.reason : r.status, r.summed || "", r.previous || "",
      r.annotated ? el("a", { href: `/api/batch/${job}/annotated/${i}`, download: "" }, "下载") : ""])));
  out.push(el("h3", {}, "问题清单"));
  out.push(listTable(["机关", "源文件", "规则代码", "级别", "说明", "表", "行", "列"],
    s.findings.map(([i, f]) => { const r = s.rows[i] || {}; return [r.organ, r.source, f.code, f.severity === "error" ? "错误" : "警告", f.message, f.table || "", f.row || "", f.column || ""]; })));
  for (const [year, edition, count, html] of s.totals) {
    out.push(el("h3", {}, `${year}年汇总（${edition}，${count} 份报告）`));
    const t = el("div", { class: "tables" });
    t.innerHTML = html; // made and escaped by the server
    out.push(t);
  }
  return out;
}

async function runBatch(e) {
  e.preventDefault();
  const form = $("batch-form");
  const data = formData(form);
  if (!fileCount(data, "file")) { status("batch-status", "请先选择报告文件或文件夹。", true); return; }
  status("batch-status", "正在上传……");
  $("batch-results").replaceChildren();
  const bar = $("batch-progress");
  bar.hidden = false; bar.value = 0; bar.max = 1;
  try {
    const { job, total } = await (await post("/api/batch", data)).json();
    for (;;) {
      const resp = await fetch(`/api/batch/${job}`);
      if (!resp.ok) throw new Error(await failure(resp));
      const s = await resp.json();
      bar.max = total; bar.value = s.done;
      status("batch-status", `${s.phase}：${s.done} / ${total}`);
      if (s.finished) {
        if (s.error) throw new Error(s.error);
        status("batch-status", "完成。" + s.summary);
        $("batch-results").replaceChildren(...batchResults(job, s));
        break;
      }
      await new Promise((ok) => setTimeout(ok, 400));
    }
  } catch (err) {
    status("batch-status", err.message, true);
  }
}

// ---- 模板
async function runTemplate(e) {
  e.preventDefault();
  const form = $("template-form");
  status("template-status", "正在生成……");
  $("template-results").replaceChildren();
  try {
    const res = await (await post("/api/template", formData(form))).json();
    const resp = await fetch(`/api/template/${res.job}`);
    if (!resp.ok) throw new Error(await failure(resp));
    const name = await save(resp, res.name);
    const filled = res.rows.filter((r) => r.prefilled).length;
    status("template-status", `已生成并下载：${name}（${res.rows.length} 个机关，其中 ${filled} 个按上年报告预填）`);
    $("template-results").replaceChildren(listTable(["机关", "上年结转等数字"], res.rows.map((r) => [r.organ, r.note])));
  } catch (err) {
    status("template-status", err.message, true);
  }
}

// ---- 发布
async function runPublish(e) {
  e.preventDefault();
  const data = formData($("publish-form"));
  if (!fileCount(data, "file")) { status("publish-status", "请先选择一份报告。", true); return; }
  status("publish-status", "正在生成……");
  $("publish-results").replaceChildren();
  try {
    const res = await (await post("/api/check", data)).json();
    const r = res.reports[0];
    if (r.outcome !== "已读取") throw new Error(r.outcome + "：" + (r.reason || ""));
    const who = `${r.organ || r.file} ${r.year ? r.year + "年" : ""}`;
    const preview = el("iframe", { class: "preview", src: `/api/job/${res.job}/0/html?inline=1&allow_errors=1`, title: "公开版预览" });
    if (!r.errors) {
      status("publish-status", `${who}：未发现错误，可以下载公开版。`);
      $("publish-results").replaceChildren(downloads(res.job, 0, ["docx", "html", "pdf"], "publish-status"),
        el("p", { class: "hint" }, "PDF 需要本机安装 LibreOffice。下面是网页版预览："), preview);
      return;
    }
    // A report with errors is not published unless the clerk confirms.
    const first = r.findings.find((f) => f.severity === "error");
    status("publish-status", `${who}：这份报告有 ${r.errors} 个错误（第一个：${first ? first.message : ""}），按规定不能直接生成公开版。请先在“检查”页面查看并改正。`, true);
    const box = el("input", { type: "checkbox", id: "publish-anyway" });
    const area = el("div", { id: "publish-downloads" });
    box.addEventListener("change", () => {
      area.replaceChildren(...(box.checked ? [downloads(res.job, 0, ["docx", "html", "pdf"], "publish-status", "?allow_errors=1")] : []));
    });
    $("publish-results").replaceChildren(
      el("label", { class: "anyway" }, box, `我已知晓这份报告有 ${r.errors} 个错误，仍要生成公开版（文档属性中会注明有错误）`), area,
      el("p", { class: "hint" }, "下面是网页版预览（有错误，尚不能发布）："), preview);
  } catch (err) {
    status("publish-status", err.message, true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const t of document.querySelectorAll("nav .tab")) t.addEventListener("click", () => show(t.dataset.page));
  const page = location.hash.slice(1);
  if (["check", "batch", "template", "publish"].includes(page)) show(page);
  $("template-year").value = new Date().getFullYear() - 1;
  dropZone($("check-form"), "file");
  dropZone($("batch-form"), "file");
  dropZone($("publish-form"), "file");
  $("check-form").addEventListener("submit", runCheck);
  $("batch-form").addEventListener("submit", runBatch);
  $("template-form").addEventListener("submit", runTemplate);
  $("publish-form").addEventListener("submit", runPublish);
  document.body.dataset.ready = "1";
});
