// The console in a real browser: Playwright (playwright-core from
// client/web/node_modules) driving Debian's Chromium, headless, against
// the huizongd and PostgreSQL that test_console.py started. One scenario,
// step by step, a screenshot of each page into HZ_SHOTS:
//   a township signs in, fills a quarter through the form by keyboard with
//   one mistyped value refused next to its field, fixes it and submits;
//   the county's dashboard shows the new figure and 同比 at once, its
//   chart canvas is drawn, the county approves; the admin's audit page
//   lists the change. Also: English switch, CSV/xlsx export, no CSP
//   violation on any page.
// Exit 0 when every step passed; otherwise the failing step is printed.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (run through tests/web/test_console.py)`);
  return v;
};
const URL = env("HZ_URL");
const SHOTS = env("HZ_SHOTS");
const WEB = env("HZ_WEB_DIR");
const PERIOD = env("HZ_PERIOD");
const TOWN = env("HZ_TOWN");
const COUNTY = env("HZ_COUNTY");
const EXPECT = JSON.parse(env("HZ_EXPECT"));
const TIMEOUT = 30_000;

const require = createRequire(join(WEB, "package.json"));
const { chromium } = require("playwright-core");

let step = "start";
const log = (s) => {
  step = s;
  console.log(`step: ${s}`);
};
function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page, token) {
  await page.goto(`${URL}/`);
  await page.waitForURL(/\/signin/, { timeout: TIMEOUT });
  await page.locator("input[data-test=token]").fill(token);
  await page.locator("[data-test=signin]").click();
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"), { timeout: TIMEOUT });
}

async function signOut(page) {
  await page.locator("[data-test=signout]").click();
  await page.waitForURL(/\/signin/, { timeout: TIMEOUT });
}

// Pixels of a canvas that are neither transparent nor the background.
async function inkedPixels(page, selector) {
  return page.$eval(selector, (el) => {
    const c = el.querySelector("canvas");
    if (!c) return -1;
    const ctx = c.getContext("2d");
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 0 && !(r > 245 && g > 245 && b > 245)) n++;
    }
    return n;
  });
}

async function township(page) {
  log("township signs in");
  await signIn(page, env("HZ_TOKEN_TOWN"));
  check(page.url().includes("/entry"), `township lands on /entry, not ${page.url()}`);
  check((await page.locator("[data-test=who]").innerText()).includes(TOWN), "header shows the township's region");

  log("entry form for the quarter");
  await page.goto(`${URL}/entry?period=${PERIOD}`);
  const row = (code) => page.locator(`tr[data-indicator="${code}"]`);
  await row("fai").waitFor({ timeout: TIMEOUT });
  check((await row("fai").innerText()).includes(EXPECT.lastYear), "last year's value beside the input");
  check((await page.locator("[data-test=entry-form] tr[data-indicator]").count()) === EXPECT.fieldCount,
    "every submitted indicator of the frequency, ratios left out");

  log("typing by keyboard, one value mistyped");
  const input = (code) => row(code).locator("input");
  await input(EXPECT.first).click();
  for (const [code, value] of EXPECT.typed) {
    await input(code).focus();
    await page.keyboard.type(value);
    await page.keyboard.press("Enter");
  }
  const active = await page.evaluate(() => document.activeElement?.getAttribute("data-entry-input") ?? document.activeElement?.tagName);
  check(active !== EXPECT.typed.at(-1)[0], "Enter moved the focus on from the last typed field");
  const typedError = row("fai").locator("[data-test=field-error]");
  await typedError.waitFor({ timeout: TIMEOUT });
  check((await typedError.innerText()).includes("千分位"), "the mistyped value is refused as typed, next to its field");
  await shot(page, "1-entry-mistyped");

  log("检查 (dry run): the server's problems next to their fields");
  await page.locator("[data-test=check]").click();
  const problem = row("fai").locator("[data-test=field-problem]");
  await problem.waitFor({ timeout: TIMEOUT });
  check((await problem.innerText()).length > 0, "server problem shown at fai");
  check((await row("tax").locator("[data-test=field-problem]").count()) === 0, "no problem at a good field");
  await page.locator("[data-test=refusal]").waitFor({ timeout: TIMEOUT });
  await shot(page, "2-entry-refused");

  log("fixing the value, 检查 again, then 提交 by keyboard");
  await input("fai").fill("");
  await input("fai").focus();
  await page.keyboard.type(EXPECT.fai);
  check((await row("fai").locator("[data-test=field-error]").count()) === 0, "the typed error is gone once fixed");
  await page.locator("textarea[data-test=narrative]").fill(EXPECT.narrative);
  await page.locator("[data-test=check]").click();
  await page.locator("[data-test=summary]").waitFor({ timeout: TIMEOUT });
  check((await page.locator("[data-test=refusal]").count()) === 0, "the dry run passes");
  await page.locator("[data-test=submit]").focus();
  await page.keyboard.press("Enter");
  await page.locator("[data-test=history] tbody tr").first().waitFor({ timeout: TIMEOUT });
  const summary = await page.locator("[data-test=summary]").innerText();
  check(summary.includes(String(EXPECT.typed.length)), `import summary counts the values: ${summary}`);
  check((await page.locator("[data-test=period-state]").innerText()).includes("已报待审"), "state says submitted");
  await shot(page, "3-entry-submitted");
  await signOut(page);
}

async function county(page) {
  log("county signs in and opens the dashboard");
  await signIn(page, env("HZ_TOKEN_COUNTY"));
  await page.goto(`${URL}/dashboard?region=${COUNTY}&period=${PERIOD}&indicator=fai`);
  const cell = page.locator(`[data-test=table-children] tr:has([data-region="${TOWN}"])`);
  await cell.waitFor({ timeout: TIMEOUT });
  const text = await cell.innerText();
  check(text.includes(EXPECT.faiShown), `the new figure ${EXPECT.faiShown} in the township row: ${text}`);
  check(text.includes(EXPECT.yoyShown), `同比 ${EXPECT.yoyShown} in the township row: ${text}`);
  check((await page.locator("[data-test=dashboard-title]").innerText()).includes(EXPECT.periodName), "period named as people say it");

  log("the bar chart and line chart are drawn");
  await page.waitForFunction(() => document.querySelectorAll("[data-test=bar-chart] canvas, [data-test=line-chart] canvas").length === 2, null, { timeout: TIMEOUT });
  let bar = 0;
  for (let i = 0; i < 50 && bar < 500; i++) {
    bar = await inkedPixels(page, "[data-test=bar-chart]");
    if (bar < 500) await page.waitForTimeout(100);
  }
  check(bar >= 500, `bar chart canvas has drawn pixels (${bar})`);
  check((await inkedPixels(page, "[data-test=line-chart]")) >= 500, "line chart canvas has drawn pixels");
  await shot(page, "4-dashboard");

  log("export of the township table: CSV with BOM, and xlsx");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.locator("[data-test=export-csv-children]").click()]);
  const csvText = readFileSync(await csv.path(), "utf8");
  check(csvText.charCodeAt(0) === 0xfeff && csvText.includes(EXPECT.townName) && csvText.includes(EXPECT.fai), "CSV export");
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.locator("[data-test=export-xlsx-children]").click()]);
  const xbytes = readFileSync(await xlsx.path());
  check(xbytes.length > 1000 && xbytes[0] === 0x50 && xbytes[1] === 0x4b, "xlsx export is a zip");

  log("English on request");
  await page.locator(".hz-header .el-select").click();
  await page.locator(".el-select-dropdown__item", { hasText: "English" }).click();
  await page.getByText("Year on year").first().waitFor({ timeout: TIMEOUT });
  await shot(page, "5-dashboard-en");
  await page.locator(".hz-header .el-select").click();
  await page.locator(".el-select-dropdown__item", { hasText: "中文" }).click();
  await page.getByText("同比").first().waitFor({ timeout: TIMEOUT });

  log("the county approves");
  await page.locator(`[data-approve="${TOWN}"]`).click();
  await page.locator(".el-message-box").waitFor({ timeout: TIMEOUT });
  await page.locator(".el-message-box input").fill("数据已核实");
  await page.locator(".el-message-box__btns .el-button--primary").click();
  await page.locator(`[data-unit-state="${TOWN}"] [data-state=approved]`).waitFor({ timeout: TIMEOUT });
  await shot(page, "6-dashboard-approved");

  log("the township's report with its narrative");
  await page.locator(`[data-unit="${TOWN}"]`).click();
  await page.locator("[data-test=narrative-text]").waitFor({ timeout: TIMEOUT });
  check((await page.locator("[data-test=narrative-text]").innerText()).includes(EXPECT.narrative), "narrative shown");
  await shot(page, "7-report");
  await signOut(page);
}

async function adminPages(page) {
  log("admin's audit page lists the change");
  await signIn(page, env("HZ_TOKEN_ADMIN"));
  await page.goto(`${URL}/audit`);
  await page.locator("input[data-test=audit-region]").fill(TOWN);
  await page.locator("input[data-test=audit-period]").fill(PERIOD);
  await page.locator("[data-test=audit-search]").click();
  const valueRow = page.locator(`[data-test=table-audit] tr:has([data-action=VALUE_SET]):has-text("${EXPECT.fai}")`);
  await valueRow.first().waitFor({ timeout: TIMEOUT });
  await page.locator("[data-test=table-audit] [data-action=APPROVE]").first().waitFor({ timeout: TIMEOUT });
  await shot(page, "8-audit");

  log("admin's token list");
  await page.goto(`${URL}/tokens`);
  await page.locator("[data-test=table-tokens] tbody tr").first().waitFor({ timeout: TIMEOUT });
  await shot(page, "9-tokens");
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.HZ_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--lang=zh-CN"],
  });
  const violations = [];
  const errors = [];
  try {
    const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on("console", (m) => {
      const t = m.text();
      if (t.startsWith("CSP violation") || t.includes("Content Security Policy")) violations.push(t);
      if (m.type() === "error") errors.push(t);
    });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith(URL)) violations.push(`request to another origin: ${r.url()}`);
      if (/[?&](token|authorization)=/i.test(r.url())) violations.push(`token in a URL: ${r.url()}`);
    });
    try {
      await township(page);
      await county(page);
      await adminPages(page);
    } catch (e) {
      await page.screenshot({ path: join(SHOTS, "failure.png"), fullPage: true }).catch(() => {});
      console.error(`browser console at failure (${page.url()}):\n  ${[...errors, ...violations].join("\n  ")}`);
      throw e;
    }
    log("no CSP violation, no request elsewhere, no page error");
    check(violations.length === 0, `violations:\n  ${violations.join("\n  ")}`);
    const pageErrors = errors.filter((e) => e.startsWith("page error"));
    check(pageErrors.length === 0, `page errors:\n  ${pageErrors.join("\n  ")}`);
    console.log(`console test passed; screenshots in ${SHOTS}`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(`FAILED at step "${step}": ${e.stack || e}`);
  process.exit(1);
});
