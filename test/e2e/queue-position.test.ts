// A waiting job's progress comment keeps its place in line true: when the job
// ahead of it starts, its "#2 in line" becomes "starting shortly".
import { afterEach, describe, expect, it } from "vitest";
import { botComments, startTestApp, type TestApp } from "../support/app.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { waitFor } from "../jobs/helpers.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe("place in line", () => {
  it("edits a waiting job's comment as the queue moves", async () => {
    const holds = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
    const finish = { toolCalls: [{ name: "finish", arguments: { summary: "Nothing to change." } }] };
    app = await startTestApp({
      // No tests to run: each job ends at its finish, so each takes its own turns.
      files: { "README.md": "# widgets\n" },
      env: { AGENT_CONCURRENCY: "1", AGENT_QUEUE_POSITION_REFRESH_S: "1" },
      turns: [{ pause: holds[0]!.promise, then: finish }, { pause: holds[1]!.promise, then: finish }, finish],
    });
    const a = app;
    try {
      const issues = [1, 2, 3].map((i) =>
        a.fake.addIssue({ owner: "acme", repo: "widgets", title: `issue ${i}`, user: "reporter" }),
      );
      for (const issue of issues) {
        await a.send(
          issuesEvent("labeled", a.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
        );
        // One at a time, so the order in line is the order sent.
        await waitFor(() => botComments(a, issue.number)[0], `the acknowledgement of #${issue.number}`, 20_000);
      }
      const third = () => botComments(a, issues[2]!.number)[0]?.body ?? "";
      await waitFor(() => a.model.requests.length >= 1, "the first job to ask the model", 20_000);
      expect(third()).toContain("#2 in line");

      holds[0]!.resolve(); // the first job ends, the second starts: the third is next
      await waitFor(() => third().includes("starting shortly"), "the third job's comment to move up", 20_000).catch(
        async (e: unknown) => {
          throw new Error(
            `${String(e)}\n${third()}\n${JSON.stringify((await a.runtime.queue.list({})).map((j) => [j.target.number, j.state, j.progressCommentId]))}\n${a.logs
              .filter((l) => /place in line|queue/.test(l))
              .slice(-5)
              .join("\n")}`,
          );
        },
      );
      expect(third()).not.toContain("#2 in line");
    } finally {
      holds.forEach((h) => h.resolve());
    }
    const jobs = await a.waitForJobs({ count: 3 });
    expect(jobs.map((j) => j.outcome?.status)).toEqual(["no_change", "no_change", "no_change"]);
    expect(a.fake.errors).toEqual([]);
  });
});
