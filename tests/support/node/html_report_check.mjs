// Opens an HTML report in Debian's headless Chromium (driven by playwright-core, no
// downloaded browser) and checks it as an auditor would use it:
// - it loads from file:// with no console error, no page error and no request leaving the
//   file (the report must work offline);
// - the filters show exactly the expected rows (status, severity, account, text);
// - a finding's details open to show evidence and remediation;
// - the framework bars are drawn.
// It writes a full-page screenshot. Usage:
//   node html_report_check.mjs REPORT.html SCREENSHOT.png EXPECTED.json
// EXPECTED.json: {"attention": n, "all": n, "pass": n, "severity": {"critical": n, ...},
//                 "account": {"id": "...", "attention": n}, "text": "TW201", "frameworks": n}
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [reportPath, screenshotPath, expectedPath] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expectedPath, "utf8"));
const reportUrl = pathToFileURL(path.resolve(reportPath)).href;
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("console", (msg) => { if (msg.type() === "error" || msg.type() === "warning") problems.push(`console ${msg.type()}: ${msg.text()}`); });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => { if (request.url() !== reportUrl) problems.push(`request outside the file: ${request.url()}`); });
  await page.goto(reportUrl, { waitUntil: "load" });

  const visible = () => page.$$eval("#findings-table tbody tr.finding", (rows) => rows.filter((r) => !r.hidden && r.offsetParent !== null).length);
  const total = await page.$$eval("#findings-table tbody tr.finding", (rows) => rows.length);
  check(total === expected.all, `rows: ${total}, expected ${expected.all}`);
  check((await visible()) === expected.attention, `default filter (FAIL and ERROR, not waived) shows ${await visible()}, expected ${expected.attention}`);
  const counter = await page.textContent("#shown-count");
  check(counter.startsWith(`${expected.attention} of ${expected.all}`), `counter says "${counter}"`);

  await page.selectOption("#filter-status", "PASS");
  check((await visible()) === expected.pass, `status PASS shows ${await visible()}, expected ${expected.pass}`);
  const statuses = await page.$$eval("#findings-table tbody tr.finding", (rows) => [...new Set(rows.filter((r) => !r.hidden).map((r) => r.dataset.status))]);
  check(statuses.length <= 1 && (statuses[0] ?? "PASS") === "PASS", `status PASS shows ${statuses}`);

  await page.selectOption("#filter-status", "all");
  for (const [severity, count] of Object.entries(expected.severity)) {
    await page.selectOption("#filter-severity", severity);
    check((await visible()) === count, `severity ${severity} shows ${await visible()}, expected ${count}`);
  }
  await page.selectOption("#filter-severity", "all");

  await page.selectOption("#filter-status", "attention");
  await page.selectOption("#filter-account", expected.account.id);
  check((await visible()) === expected.account.attention, `account ${expected.account.id} shows ${await visible()}, expected ${expected.account.attention}`);
  await page.selectOption("#filter-account", "all");

  await page.selectOption("#filter-status", "all");
  await page.fill("#filter-text", expected.text);
  const texts = await page.$$eval("#findings-table tbody tr.finding", (rows) => rows.filter((r) => !r.hidden).map((r) => r.textContent));
  check(texts.length > 0 && texts.every((t) => t.includes(expected.text)), `text filter ${expected.text} shows ${texts.length} row(s), not all matching`);
  await page.fill("#filter-text", "");
  await page.selectOption("#filter-status", "attention");

  const first = page.locator("#findings-table tbody tr.finding:not([hidden]) details").first();
  await first.locator("summary").click();
  check(await first.locator("h4", { hasText: "Evidence" }).isVisible(), "opened finding shows no evidence");
  check(await first.locator("h4", { hasText: "Remediation" }).isVisible(), "opened finding shows no remediation");

  const bars = await page.$$eval("#frameworks .bar", (els) => els.filter((e) => e.getBoundingClientRect().width > 50 && e.children.length > 0).length);
  check(bars === expected.frameworks, `${bars} framework bars drawn, expected ${expected.frameworks}`);

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath, fullPage: false });
} finally {
  await browser.close();
}
for (const problem of problems) console.log(problem);
if (problems.length > 0) {
  console.log(`${problems.length} problem(s) in ${reportPath}`);
  process.exit(1);
}
console.log(`${reportPath}: loads without errors, filters work; screenshot ${screenshotPath}`);
