// Every review thread gets an answer, even where the commit did not touch its file.
import { afterEach, expect, it } from "vitest";
import { pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import { issuesEvent, pullRequestReviewEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

it("answers both threads of a review: the one fixed in the README and resolved, the one left as is with the model's reason", async () => {
  const revise = [
    (req: { messages: { content?: unknown }[] }) => {
      const all = JSON.stringify(req.messages);
      expect(all).toContain("Thread T1 on `src/sum.js:2`");
      expect(all).toContain("Thread T2 on `src/sum.js:1`");
      expect(all).toContain("one entry for each of T1, T2");
      return {
        toolCalls: [
          {
            name: "edit",
            arguments: {
              path: "README.md",
              old_str: "# widgets\n",
              new_str: "# widgets\n\n`sum(a, b)` returns a + b.\n",
            },
          },
        ],
      };
    },
    {
      toolCalls: [
        {
          name: "finish",
          arguments: {
            summary: "Documented sum in the README.",
            threads: [
              { thread: "T1", changed: true, reply: "Documented `sum` in the README." },
              { thread: "T2", changed: false, reply: "Kept the name: `sum` is already the public API." },
            ],
          },
        },
      ],
    },
  ];
  app = await startTestApp({
    files: { ...BUGGY_REPO, ".github/agent.yml": "resolve_threads: true\n" },
    turns: [...FIX_TURNS, ...revise],
  });
  const issue = app.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "",
    user: "reporter",
  });
  await app.send(
    issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
  );
  await app.waitForJobs();
  const [pr] = pullsOf(app);
  const review = await app.fake.addReview({
    owner: OWNER,
    repo: REPO,
    pullNumber: pr!.number,
    user: MAINTAINER,
    state: "CHANGES_REQUESTED",
    body: "Two things.",
    comments: [
      { path: "src/sum.js", line: 2, body: "Document this in the README." },
      { path: "src/sum.js", line: 1, body: "Should this be called add?" },
    ],
  });
  const pullJson = await app.fake.pullJson(OWNER, REPO, pr!.number);
  await app.send(
    pullRequestReviewEvent("submitted", app.target(), {
      pullRequest: { number: pr!.number, json: pullJson },
      review: { state: "CHANGES_REQUESTED", json: app.fake.reviewJson(OWNER, REPO, review.id) },
    }),
  );
  const jobs = await app.waitForJobs({ count: 2 });
  expect(jobs.find((j) => j.kind === "revise")?.outcome?.status).toBe("pr_updated");

  const replies = app.fake.state.reviewComments.filter((c) => c.user === app!.fake.botLogin);
  const [docs, name] = review.comments;
  expect(replies.map((r) => r.inReplyToId).sort()).toEqual([docs!.id, name!.id].sort());
  expect(replies.find((r) => r.inReplyToId === docs!.id)?.body).toMatch(
    /^Addressed in \[`[0-9a-f]{7}`\]\(.*\): Documented `sum` in the README\./,
  );
  expect(replies.find((r) => r.inReplyToId === name!.id)?.body).toMatch(
    /^Kept the name: `sum` is already the public API\.\n\n\(No change for this thread in \[`[0-9a-f]{7}`\]/,
  );
  const threads = app.fake.state.reviewThreads.filter((t) => t.pullNumber === pr!.number);
  expect(threads.map((t) => [t.commentIds[0], t.resolved]).sort()).toEqual(
    [
      [docs!.id, true],
      [name!.id, false],
    ].sort(),
  );
});
