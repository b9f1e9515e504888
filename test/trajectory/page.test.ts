// The job page as a reader sees it, in headless Chromium: the task, the
// steps with each tool call on one expandable row, the diff, the tests and
// the outcome; nothing hostile runs, no secret shows, and it fits a phone.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KNOWN_SECRET, TOKEN_LIKE } from "./fixtures.ts";
import { APP_SECRET, servePage, type PageServer } from "./serve.ts";

const ARTIFACTS = path.resolve("test-artifacts");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

let browser: Browser;
let page: PageServer;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  page = await servePage();
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await page?.close();
});

describe("the job page in a browser", () => {
  it("shows the task, the outcome, the budget, every step in order, the diff and the tests", async () => {
    const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const response = await tab.goto(page.signer.link(page.jobId)!);
    expect(response?.status()).toBe(200);

    await expect(tab.locator("h1").textContent()).resolves.toBe("sum() returns the wrong result");
    expect(await tab.locator("#task .text").innerText()).toContain("sum(2, 3) gives -1.");
    const outcome = await tab.locator(".outcome").innerText();
    expect(outcome).toContain("Outcome: pr opened");
    expect(outcome).toContain("Opened #8 — tests pass");
    expect(await tab.locator(".outcome a").getAttribute("href")).toBe("https://github.com/acme/widgets/pull/8");
    expect(await tab.locator("header .meta a").getAttribute("href")).toBe("https://github.com/acme/widgets/issues/7");

    const facts = await tab.locator("#budget").innerText();
    expect(facts).toMatch(/Steps\s+5/);
    expect(facts).toContain("7,400 in · 230 out");
    expect(facts).toContain("$0.0074");

    // One row per tool call, in order: name, arguments, the first lines of the result.
    const tools = tab.locator("li.tool");
    expect(await tools.count()).toBe(5);
    expect(await tools.locator(".name").allInnerTexts()).toEqual(["view", "shell", "edit", "edit", "finish"]);
    const first = await tools.nth(0).locator("summary").innerText();
    expect(first).toContain("src/sum.js");
    expect(first).toContain("export function sum(a, b) {");
    // Only the first lines until expanded.
    expect(await tools.nth(0).locator("pre").first().isVisible()).toBe(false);
    await tools.nth(0).locator("summary").click();
    expect(await tools.nth(0).locator("pre").last().innerText()).toContain("3\t}");
    // The failed call is marked.
    expect(await tools.nth(2).getAttribute("class")).toContain("error");
    expect(await tools.nth(2).innerText()).toContain("failed");
    // Model steps and phases sit between them, in order.
    const rows = await tab.locator("ol.steps > li").allInnerTexts();
    const order = rows.map((r) => r.split("\n")[0]!);
    expect(order.findIndex((r) => r.includes("Step 1"))).toBeLessThan(order.findIndex((r) => r.startsWith("view")));
    expect(order.findIndex((r) => r.includes("▸ test"))).toBeGreaterThan(
      order.findIndex((r) => r.startsWith("finish")),
    );

    const diff = tab.locator("#diff pre.diff");
    expect(await diff.locator("span.add").allInnerTexts()).toEqual(["+  return a + b;"]);
    expect(await diff.locator("span.del").allInnerTexts()).toEqual(["-  return a - b;"]);

    const tests = await tab.locator("#tests").innerText();
    expect(tests).toContain("Passed");
    expect(tests).toContain("npm test");
    expect(tests).toContain("1 passed, 0 failed");

    await tab.screenshot({ path: path.join(ARTIFACTS, "trajectory-page.png"), fullPage: true });
    await tab.close();
  });

  it("runs no script from model or tool output and shows no secret or token", async () => {
    const tab = await browser.newPage();
    const dialogs: string[] = [];
    tab.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await tab.goto(page.signer.link(page.jobId)!);
    await tab.locator("li.tool").nth(1).locator("summary").click();
    expect(await tab.title()).toBe("sum() returns the wrong result · issuesmith");
    expect(dialogs).toEqual([]);
    expect(await tab.locator("script").count()).toBe(0);
    expect(await tab.locator("img").count()).toBe(0);
    // The hostile text is shown as text.
    expect(await tab.locator("li.model").nth(1).innerText()).toContain("<script>");
    const content = await tab.content();
    for (const secret of [KNOWN_SECRET, TOKEN_LIKE, APP_SECRET]) expect(content).not.toContain(secret);
    expect(content).toContain("[REDACTED]");
    await tab.close();
  });

  it("fits a phone's width without sideways scrolling of the page", async () => {
    const tab = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    await tab.goto(page.signer.link(page.jobId)!);
    const widths = await tab.evaluate<{ page: number; view: number }>(
      "({ page: document.documentElement.scrollWidth, view: window.innerWidth })",
    );
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    expect(await tab.locator("h1").isVisible()).toBe(true);
    await tab.screenshot({ path: path.join(ARTIFACTS, "trajectory-page-phone.png"), fullPage: true });
    await tab.close();
  });

  it("answers a forged or expired link with the same 404 as an unknown page, never the page", async () => {
    const tab = await browser.newPage();
    const good = new URL(page.signer.link(page.jobId)!);
    const forged = new URL(good);
    forged.searchParams.set("sig", `${good.searchParams.get("sig")!.slice(0, -2)}AA`);
    const expired = new URL(good);
    expired.searchParams.set("exp", String(Math.floor(Date.now() / 1000) - 60));
    for (const url of [forged, expired]) {
      const response = await tab.goto(url.toString());
      expect(response?.status()).toBe(404);
      expect((await tab.locator("body").innerText()).trim()).toBe("Not found");
    }
    await tab.close();
  });
});
