import { readFile } from "node:fs/promises";
import { glob } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { botComments, pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import type { Turn } from "../support/model-server.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

function labeled(a: TestApp, label = "agent", sender = MAINTAINER) {
  const issue = a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "sum(2, 3) gives -1.",
    user: "reporter",
  });
  return {
    issue,
    delivery: issuesEvent("labeled", a.target(sender), {
      issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
      label,
    }),
  };
}

describe("label an issue `agent`, get a pull request", () => {
  it("opens a PR that fixes the issue when the tests pass", async () => {
    const configs: string[] = [];
    // Look inside the workspace while the job runs: the token must not be in .git/config.
    const peek: Turn = async () => {
      for await (const f of glob(path.join(app!.workDir, "issuesmith-*/repo/.git/config")))
        configs.push(await readFile(f, "utf8"));
      return FIX_TURNS[0]!;
    };
    app = await startTestApp({ files: BUGGY_REPO, turns: [peek, ...FIX_TURNS.slice(1)] });
    const { issue, delivery } = labeled(app);
    const res = await app.send(delivery);
    expect(res.status).toBe(200);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("pr_opened");

    const pulls = pullsOf(app);
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    expect(pr.head).toMatch(/^agent\/issue-\d+-sum-returns-the-wrong-result$/);
    expect(pr.draft).toBe(false);
    expect(pr.body).toContain(`Fixes #${issue.number}`);
    expect(pr.body).toContain("Tests pass");
    expect(pr.body).toContain("npm test");
    expect(pr.body).toContain("src/sum.js");
    expect(pr.body).toMatch(/scripted-model/);
    // The branch holds the fix, as one commit by the app's bot.
    expect(await app.fake.readFile(OWNER, REPO, pr.head, "src/sum.js")).toContain("return a + b;");
    const log = await app.fake.git(OWNER, REPO, ["log", "--format=%an|%s", `main..${pr.head}`]);
    expect(log.trim().split("\n")).toEqual([
      `${app.fake.botLogin}|Fix #${issue.number}: sum() returns the wrong result`,
    ]);
    // No setup artifact and no WIP branch is left behind.
    const branches = await app.fake.git(OWNER, REPO, ["branch", "--list"]);
    expect(branches).not.toContain("wip/");

    const comments = botComments(app, issue.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`#${pr.number}`);
    expect(comments[0]!.body).toContain("tests pass");
    // 👀 on the issue.
    expect([...app.fake.state.reactions.values()].some((r) => r.content === "eyes")).toBe(true);

    // The token never shows: not in logs, not in the clone's .git/config, not in what the model saw.
    expect(configs.length).toBeGreaterThan(0);
    for (const token of app.fake.tokens) {
      expect(app.logs.join("\n")).not.toContain(token);
      for (const c of configs) expect(c).not.toContain(token);
      expect(JSON.stringify(app.model.requests)).not.toContain(token);
    }
    expect(app.fake.errors).toEqual([]);
  });
});

describe("when the work does not succeed, the comment says so", () => {
  it("ends with no PR and says so when the model changes nothing", async () => {
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": "budget:\n  test_rounds: 0\n" },
      turns: [
        { toolCalls: [{ name: "view", arguments: { path: "src/sum.js" } }] },
        { toolCalls: [{ name: "finish", arguments: { summary: "I could not find the problem." } }] },
      ],
    });
    const { issue, delivery } = labeled(app);
    await app.send(delivery);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("no_change");
    expect(pullsOf(app)).toEqual([]);
    const [comment] = botComments(app, issue.number);
    expect(comment?.body).toContain("no change was made");
    expect(comment?.body).toContain("I could not find the problem.");
    expect(comment?.body).toMatch(/view ×1/);
    // The app ran the tests itself and shows their last output.
    expect(comment?.body).toContain("npm test");
    expect(comment?.body).toContain("Last test output");
  });

  it("opens a draft PR marked as failing when the tests still fail after the extra rounds", async () => {
    app = await startTestApp({
      files: { ...BUGGY_REPO, ".github/agent.yml": "budget:\n  test_rounds: 1\n" },
      turns: [
        {
          toolCalls: [
            { name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: "return a * b;" } },
          ],
        },
        { toolCalls: [{ name: "finish", arguments: { summary: "Changed the operator." } }] },
        // Round 1: the model sees the failing output and gives up.
        (req) => {
          expect(req.lastMessageText).toContain("FAILED");
          return { toolCalls: [{ name: "finish", arguments: { summary: "Changed the operator; tests still fail." } }] };
        },
      ],
    });
    const { issue, delivery } = labeled(app);
    await app.send(delivery);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("tests_failing");
    const [pr] = pullsOf(app);
    expect(pr?.draft).toBe(true);
    expect(pr?.body).toContain("Tests fail");
    expect(pr?.body).toContain(`Fixes #${issue.number}`);
    const [comment] = botComments(app, issue.number);
    expect(comment?.body).toContain(`draft #${pr?.number}`);
    expect(comment?.body).toContain("tests still fail");
    expect(app.model.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(3);
  });

  it("keeps files the setup command left behind out of the pull request", async () => {
    // No lockfile: setup is `npm install`, which writes package-lock.json.
    const { ["package-lock.json"]: _lock, ...noLock } = BUGGY_REPO;
    app = await startTestApp({ files: noLock, turns: FIX_TURNS.slice(2) });
    const { delivery } = labeled(app);
    await app.send(delivery);
    const [job] = await app.waitForJobs();
    expect(job?.outcome?.status).toBe("pr_opened");
    const [pr] = pullsOf(app);
    const files = await app.fake.git(OWNER, REPO, ["diff", "--name-only", `main...${pr!.head}`]);
    expect(files.trim().split("\n")).toEqual(["src/sum.js"]);
  });
});

describe("a failure retried until the job's last attempt", () => {
  it("ends the comment naming the failure and the attempts, never left working", async () => {
    app = await startTestApp({ files: BUGGY_REPO, turns: [] });
    // GitHub's git side stays down (503): every clone (a fetch into the mirror) fails on the network, a Transient the queue retries.
    app.fake.failNext("*", /\.git\/info\/refs/, 503, 1_000);
    const { issue, delivery } = labeled(app);
    await app.send(delivery);
    const [job] = await app.waitForJobs({ timeoutMs: 100_000 });
    expect(job).toMatchObject({ state: "failed", attempts: 3, outcome: { status: "error" } });
    const comments = botComments(app, issue.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(
      /Stopped: git (?:clone|fetch) failed on the network: .*503 \(gave up after 3 attempts\)/,
    );
    expect(comments[0]!.body).toContain("The job was tried 3 times");
    expect(comments[0]!.body).not.toMatch(/⏳|Working/);
    expect(app.model.requests).toHaveLength(0);
  }, 150_000);
});

describe("bad input does nothing, or answers politely", () => {
  it("rejects a delivery with a bad signature and enqueues nothing", async () => {
    app = await startTestApp({ files: BUGGY_REPO });
    const { delivery } = labeled(app);
    const res = await app.send(delivery, { secret: "not-the-secret" });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await app.runtime.queue.list()).toEqual([]);
  });

  it("ignores a label other than the trigger label", async () => {
    app = await startTestApp({ files: BUGGY_REPO });
    const { delivery } = labeled(app, "bug");
    const res = await app.send(delivery);
    expect(res.status).toBe(200);
    expect(await app.runtime.queue.list()).toEqual([]);
    expect(app.fake.state.issueComments).toEqual([]);
  });

  it("answers a sender with read permission with a polite refusal and starts no job", async () => {
    app = await startTestApp({ files: BUGGY_REPO });
    app.fake.setPermission(OWNER, REPO, "visitor", "read");
    const { issue, delivery } = labeled(app, "agent", "visitor");
    await app.send(delivery);
    const jobs = await app.waitForJobs();
    expect(jobs.map((j) => j.kind)).toEqual(["reply"]);
    const [reply] = botComments(app, issue.number);
    expect(reply?.body).toMatch(/^Sorry @visitor/);
    expect(reply?.body).toContain("`write`");
    expect(app.model.requests).toEqual([]);
    expect(pullsOf(app)).toEqual([]);
  });
});
