// Through the whole app: a labelled issue becomes a PR, and both the
// progress comment and the PR body link to the job's page with a signed URL
// under AGENT_PUBLIC_URL, which serves the job's steps, diff and tests.
import { afterEach, describe, expect, it } from "vitest";
import type { TrajectoryLog } from "../../src/jobs/store.ts";
import { isTrajectoryLog } from "../../src/trajectory/wiring.ts";
import {
  botComments,
  pullsOf,
  startTestApp,
  MAINTAINER,
  OWNER,
  REPO,
  MODEL_API_KEY,
  WEBHOOK_SECRET,
  type TestApp,
} from "../support/app.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "../e2e/fixtures.ts";

const PUBLIC_URL = "https://issuesmith.example.com/agent";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** The link as the app wrote it, fetched from the app's own server (the public URL is a proxy in front of it). */
function viaApp(a: TestApp, link: string): string {
  expect(link.startsWith(`${PUBLIC_URL}/jobs/`)).toBe(true);
  return `${a.url}${link.slice(PUBLIC_URL.length)}`;
}

describe("the job page, end to end", () => {
  it("links the progress comment and the PR body to a signed page that shows the job", async () => {
    app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS, env: { AGENT_PUBLIC_URL: PUBLIC_URL } });
    const issue = app.fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: "sum() returns the wrong result",
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    await app.send(
      issuesEvent("labeled", app.target(MAINTAINER), {
        issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
        label: "agent",
      }),
    );
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("pr_opened");

    const linkPattern = /https:\/\/issuesmith\.example\.com\/agent\/jobs\/[^\s)]+/;
    const comment = botComments(app, issue.number)[0]!.body;
    const pr = pullsOf(app)[0]!;
    const fromComment = linkPattern.exec(comment)?.[0];
    const fromPr = linkPattern.exec(pr.body)?.[0];
    expect(fromComment).toBeDefined();
    expect(fromPr).toBeDefined();
    expect(fromComment).toContain(`/jobs/${job!.id}?exp=`);

    const res = await fetch(viaApp(app, fromPr!));
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("<h1>sum() returns the wrong result</h1>");
    expect(page).toContain("Outcome: pr opened");
    expect(page).toContain('<span class="add">+  return a + b;</span>');
    expect(page).toContain('<span class="name">edit</span>');
    expect(page).toContain("Passed");
    // Nothing secret on the page: not the installation tokens, the model key or the webhook secret.
    for (const secret of [...app.fake.tokens, MODEL_API_KEY, WEBHOOK_SECRET]) expect(page).not.toContain(secret);

    // The same path with a tampered signature is a 404.
    const forged = new URL(viaApp(app, fromComment!));
    forged.searchParams.set("sig", "A".repeat(43));
    expect((await fetch(forged)).status).toBe(404);
  });

  it("writes no link when the app has no public URL", async () => {
    app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS });
    const issue = app.fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: "sum() returns the wrong result",
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    await app.send(
      issuesEvent("labeled", app.target(MAINTAINER), {
        issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
        label: "agent",
      }),
    );
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(botComments(app, issue.number)[0]!.body).not.toContain("/jobs/");
    expect(pullsOf(app)[0]!.body).not.toContain("/jobs/");
    // The trajectory is kept all the same, for the export.
    expect(isTrajectoryLog(app.runtime.queue)).toBe(true);
    const records = await (app.runtime.queue as unknown as TrajectoryLog).readTrajectory(job!.id);
    expect(records.map((r) => (JSON.parse(r) as { type: string }).type)).toEqual(
      expect.arrayContaining(["task", "model", "tool", "test", "diff", "outcome"]),
    );
  });
});
