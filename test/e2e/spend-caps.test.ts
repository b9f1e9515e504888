import { afterEach, expect, it } from "vitest";
import { botComments, startTestApp, OWNER, REPO, type TestApp } from "../support/app.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

it("refuses a job past the operator's daily job cap with the numbers and the reset time, and never asks the model", async () => {
  app = await startTestApp({
    files: BUGGY_REPO,
    turns: FIX_TURNS,
    env: { AGENT_SPEND_CAPS: JSON.stringify({ repository: { day: { jobs: 1 } } }) },
  });
  const first = app.fake.addIssue({ owner: OWNER, repo: REPO, title: "sum() is wrong", body: "", user: "reporter" });
  await app.send(
    issuesEvent("labeled", app.target(), { issue: { number: first.number, title: first.title }, label: "agent" }),
  );
  await app.waitForJobs();
  const asked = app.model.requests.length;
  expect(asked).toBeGreaterThan(0);

  const second = app.fake.addIssue({ owner: OWNER, repo: REPO, title: "another one", body: "", user: "reporter" });
  await app.send(
    issuesEvent("labeled", app.target(), { issue: { number: second.number, title: second.title }, label: "agent" }),
  );
  const jobs = await app.waitForJobs({ count: 2 });
  expect(jobs.map((j) => j.kind).sort()).toEqual(["fix", "reply"]);
  const reply = botComments(app, second.number).at(-1)?.body ?? "";
  expect(reply).toMatch(
    /daily job cap for the repository acme\/widgets would be passed — 1 of 1 jobs were already started today \(UTC\)/,
  );
  expect(reply).toMatch(/resets at \d{4}-\d\d-\d\dT00:00:00Z/);
  expect(app.model.requests.length).toBe(asked);
});
