// The job page route over HTTP: only an unexpired link signed for exactly
// this job opens the page; everything else is one indistinguishable 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrajectory } from "../../src/cli/show.ts";
import { LinkSigner } from "../../src/trajectory/signing.ts";
import { APP_SECRET, newJob, servePage, type PageServer } from "./serve.ts";

let page: PageServer;
beforeAll(async () => {
  page = await servePage();
});
afterAll(async () => {
  await page?.close();
});

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { redirect: "manual", ...init });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe("GET /jobs/<id>", () => {
  it("serves the page for a valid link, uncached, without script and without a referrer", async () => {
    const res = await get(page.signer.link(page.jobId)!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it("answers forged, expired, borrowed and unknown links with the same 404", async () => {
    const good = new URL(page.signer.link(page.jobId)!);
    const sig = good.searchParams.get("sig")!;
    const exp = good.searchParams.get("exp")!;
    const { job: other } = await page.store.enqueue(newJob(8));
    const unknown = page.signer.link("job-that-never-was")!;
    const attempts = [
      `${page.url}/jobs/${page.jobId}`,
      `${page.url}/jobs/${page.jobId}?exp=${exp}`,
      `${page.url}/jobs/${page.jobId}?exp=${exp}&sig=${sig.slice(1)}`,
      `${page.url}/jobs/${page.jobId}?exp=${exp}&sig=${sig.replace(/^./, (c) => (c === "A" ? "B" : "A"))}`,
      `${page.url}/jobs/${page.jobId}?exp=${Number(exp) + 1}&sig=${sig}`,
      `${page.url}/jobs/${page.jobId}?exp=1e12&sig=${sig}`,
      // A signature made for another job does not open this one.
      `${page.url}/jobs/${other.id}?exp=${exp}&sig=${sig}`,
      // Signed by a key derived from another secret.
      new LinkSigner({ secret: `${APP_SECRET}-other`, publicUrl: page.url }).link(page.jobId)!,
      // Expired: made a day ago with a one-hour lifetime.
      new LinkSigner({ secret: APP_SECRET, publicUrl: page.url, now: () => Date.now() - 24 * 3600_000 }).link(
        page.jobId,
        3600,
      )!,
      unknown,
    ];
    const answers = await Promise.all(attempts.map((u) => get(u)));
    for (const a of answers) {
      expect(a.status).toBe(404);
      expect(a.body).toBe("Not found\n");
    }
  });

  it("exports the trajectory as JSON under the same signature, linked from the page", async () => {
    const link = page.signer.link(page.jobId)!;
    const html = (await get(link)).body;
    const href = /<a href="([^"]+)" download>/.exec(html)?.[1]?.replace(/&amp;/g, "&");
    expect(href).toBeDefined();
    const exported = await get(new URL(href!, link).toString());
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const t = parseTrajectory(exported.body);
    expect(typeof t).toBe("object");
    expect(t).toMatchObject({
      jobId: page.jobId,
      outcome: { status: "pr_opened" },
      task: { title: "sum() returns the wrong result" },
    });
    const forged = new URL(href!, link);
    forged.searchParams.set("sig", "x");
    expect((await get(forged.toString())).status).toBe(404);
  });

  it("gives the same 404 to other methods, even with a valid link", async () => {
    const link = page.signer.link(page.jobId)!;
    const post = await get(link, { method: "POST", body: "x" });
    expect(post.status).toBe(404);
    const head = await fetch(link, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("leaves other paths to the next handler", async () => {
    for (const p of ["/jobs", "/jobs/", `/jobs/${page.jobId}/raw`, "/healthz"]) {
      expect((await get(`${page.url}${p}`)).status).toBe(418);
    }
  });

  it("shows a job still running with the steps stored so far", async () => {
    const { job } = await page.store.enqueue(newJob(9));
    await page.store.appendTrajectory(job.id, [
      JSON.stringify({ at: new Date().toISOString(), type: "phase", phase: "clone" }),
    ]);
    const res = await get(page.signer.link(job.id)!);
    expect(res.status).toBe(200);
    expect(res.body).toContain("Not finished yet (queued");
    expect(res.body).toContain("▸ clone");
  });
});
