// A model per repository and per command, from the operator's allow-list.
import { afterEach, expect, it } from "vitest";
import { botComments, pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import { issueCommentEvent, issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const ALLOWED = { AGENT_MODELS: JSON.stringify({ "small-coder": { context_window: 32_768 } }) };

it("runs a repository's `model:` from the allow-list, and the PR says which model did the work", async () => {
  app = await startTestApp({
    files: { ...BUGGY_REPO, ".github/agent.yml": "model: small-coder\n" },
    turns: FIX_TURNS,
    env: ALLOWED,
    // An OpenAI-style endpoint that serves both models and 404s any other.
    modelServer: { provider: "openai", models: ["scripted-model", "small-coder"] },
  });
  const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: "sum() is wrong", body: "", user: "reporter" });
  await app.send(
    issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
  );
  const [job] = await app.waitForJobs();
  expect(job?.outcome?.status).toBe("pr_opened");
  // The job record keeps the model the run chose (what `issuesmith jobs usage` groups spend by).
  expect(job?.model).toBe("small-coder");
  expect(new Set(app.model.requests.map((r) => r.body?.model))).toEqual(new Set(["small-coder"]));
  expect(pullsOf(app)[0]?.body).toContain("model `small-coder`");
});

it("answers `/agent fix --model <unlisted>` with the allowed list, and runs no job", async () => {
  app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS, env: ALLOWED });
  const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: "sum() is wrong", body: "", user: "reporter" });
  const body = "/agent fix --model gpt-9 please";
  const c = app.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: issue.number, user: MAINTAINER, body });
  await app.send(
    issueCommentEvent("created", app.target(), { issue: { number: issue.number }, comment: { id: c.id, body } }),
  );
  const jobs = await app.waitForJobs();
  expect(jobs.map((j) => j.kind)).toEqual(["reply"]);
  expect(botComments(app, issue.number).at(-1)?.body).toMatch(
    /^The model `gpt-9` \(from --model\) is not one this app may use. Allowed: `scripted-model`, `small-coder`.\n/,
  );
  expect(app.model.requests).toEqual([]);
});

it("uses `--model` over the repository's choice", async () => {
  app = await startTestApp({
    files: { ...BUGGY_REPO, ".github/agent.yml": "model: scripted-model\n" },
    turns: FIX_TURNS,
    env: ALLOWED,
    modelServer: { provider: "openai", models: ["scripted-model", "small-coder"] },
  });
  const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: "sum() is wrong", body: "", user: "reporter" });
  const body = "/agent fix --model small-coder";
  const c = app.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: issue.number, user: MAINTAINER, body });
  await app.send(
    issueCommentEvent("created", app.target(), { issue: { number: issue.number }, comment: { id: c.id, body } }),
  );
  const [job] = await app.waitForJobs();
  expect(job?.trigger.model).toBe("small-coder");
  expect(job?.model).toBe("small-coder");
  expect(new Set(app.model.requests.map((r) => r.body?.model))).toEqual(new Set(["small-coder"]));
});
