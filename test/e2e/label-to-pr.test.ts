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
  const issue = a.fake.addIssue({ owner: OWNER, repo: REPO, title: "sum() returns the wrong result", body: "sum(2, 3) gives -1.", user: "reporter" });
  return { issue, delivery: issuesEvent("labeled", a.target(sender), { issue: { number: issue.number, title: issue.title, body: issue.body ?? "" }, label }) };
}


describe("label an issue `agent`, get a pull request", () => {
  it("opens a PR that fixes the issue when the tests pass", async () => {
    const configs: string[] = [];
    // Look inside the workspace while the job runs: the token must not be in .git/config.
    const peek: Turn = async () => {
      for await (const f of glob(path.join(app!.workDir, "issuesmith-*/repo/.git/config"))) configs.push(await readFile(f, "utf8"));
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
    expect(log.trim().split("\n")).toEqual([`${app.fake.botLogin}|Fix #${issue.number}: sum() returns the wrong result`]);
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
