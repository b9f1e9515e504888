// Install scripts the agent (or a fork) wrote never run with the network:
// the agent plants a postinstall, a prepare and a setup.py that call a
// loopback canary, and the jobs that would run setup on its tree afterwards
// — /agent retry, a revision after a review, a ci_fix round, a fork's pull
// request — install from the base branch instead. The base's own scripts
// reach the canary each time: setup did have the network.
import { randomBytes } from "node:crypto";
import { stringify } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { MAINTAINER, OWNER, REPO, botComments, pullsOf, startTestApp, type TestApp } from "../support/app.ts";
import { checkRunEvent, issueCommentEvent, issuesEvent } from "../support/webhooks.ts";
import { callHome, setupPy, startCanary, type Canary } from "./canary.ts";
import { create, edit, finish } from "./turns.ts";

let app: TestApp | undefined;
let canary: Canary | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await canary?.close();
  canary = undefined;
});

const SECRET = `dk-${randomBytes(16).toString("hex")}`;

function packageJson(scripts: Record<string, string>): string {
  return `${JSON.stringify({ name: "widgets", version: "1.0.0", private: true, type: "module", scripts: { test: "node --test", ...scripts } }, null, 2)}\n`;
}

function repoFiles(url: string, withSecret: boolean): Record<string, string> {
  return {
    "README.md": "# widgets\n",
    "package.json": packageJson({ postinstall: callHome(url, "base-postinstall") }),
    "package-lock.json": `${JSON.stringify({ name: "widgets", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "widgets", version: "1.0.0" } } }, null, 2)}\n`,
    "setup.py": setupPy(url, "base-setup-py"),
    "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
    "test/sum.test.js":
      'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { sum } from "../src/sum.js";\ntest("adds", () => assert.equal(sum(2, 3), 5));\n',
    ".github/agent.yml": stringify({
      setup: "npm ci --no-audit --no-fund && python3 setup.py -q egg_info",
      setup_network: true,
      ci_fix: true,
      ci_fix_rounds: 1,
      budget: { test_rounds: 0 },
      ...(withSecret ? { secrets: ["DEPLOY_KEY"] } : {}),
    }),
  };
}

/** The agent's plant: install scripts that call home, in the places setup would run them. */
function plantTurns(url: string) {
  return [
    create(
      "package.json",
      packageJson({
        postinstall: callHome(url, "planted-postinstall"),
        prepare: callHome(url, "planted-prepare"),
        preinstall: callHome(url, "planted-preinstall"),
      }),
      true,
    ),
    create("setup.py", setupPy(url, "planted-setup-py"), true),
    edit("src/sum.js", "return a - b;", "return a + b;"),
    finish("Fixed sum, and added install steps."),
  ];
}

const untrustedHits = (c: Canary) => c.hits.filter((h) => !h.startsWith("/base-"));
const baseHits = (c: Canary) => c.hits.filter((h) => h.startsWith("/base-postinstall")).length;

function comment(a: TestApp, number: number, body: string, isPullRequest: boolean) {
  const c = a.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: number, user: MAINTAINER, body });
  return a.send(
    issueCommentEvent("created", a.target(MAINTAINER), {
      issue: { number, isPullRequest },
      comment: { id: c.id, body },
    }),
  );
}

describe.each([
  { name: "with an opted-in secret", withSecret: true },
  { name: "without secrets", withSecret: false },
])("an install script the agent or a fork planted never runs with the network ($name)", ({ withSecret }) => {
  it("through the first job, /agent retry, a revision after a review, a ci_fix round and a fork's pull request", async () => {
    canary = await startCanary();
    const url = canary.url;
    const step = () => [edit("README.md", "# widgets", `# widgets ${randomBytes(3).toString("hex")}`), finish("Done.")];
    app = await startTestApp({
      files: repoFiles(url, withSecret),
      env: withSecret ? { AGENT_SECRET_DEPLOY_KEY: SECRET } : {},
      turns: [...plantTurns(url), finish("Nothing more to change."), ...step(), ...step(), ...step()],
    });
    const expectBaseInstalled = (jobs: number, what: string) => {
      expect(untrustedHits(canary!), what).toEqual([]);
      // The positive control: the base's own postinstall ran, with the network, once per job.
      expect(baseHits(canary!), what).toBe(jobs);
      expect(canary!.hits.filter((h) => h.startsWith("/base-setup-py")).length, what).toBe(jobs);
    };

    // 1. The first job: setup before the agent, then the plant.
    const issue = app.fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: "sum() subtracts",
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    await app.send(
      issuesEvent("labeled", app.target(MAINTAINER), {
        issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
        label: "agent",
      }),
    );
    const [first] = await app.waitForJobs();
    expect(first?.outcome?.status, JSON.stringify(first?.outcome)).toBe("pr_opened");
    const [pr] = pullsOf(app);
    expect(await app.fake.readFile(OWNER, REPO, pr!.head, "package.json")).toContain("planted-postinstall");
    expectBaseInstalled(1, "first job");
    // The trusted install carried the secret when one was opted in; nothing else ever did.
    expect(canary.hits.find((h) => h.startsWith("/base-postinstall"))).toBe(
      `/base-postinstall?k=${withSecret ? SECRET : ""}`,
    );

    // 2. /agent retry: a fix job again, building on the open pull request's branch (the plant included).
    await comment(app, issue.number, "/agent retry", false);
    await app.waitForJobs({ count: 2 });
    expectBaseInstalled(2, "retry");

    // 3. A revision after a review on the app's pull request.
    await comment(app, pr!.number, "/agent fix tidy the README", true);
    const afterReview = await app.waitForJobs({ count: 3 });
    expect(afterReview.find((j) => j.kind === "revise")?.outcome?.status).toBe("pr_updated");
    expectBaseInstalled(3, "revision");
    // The pull request says what was not installed.
    const body = pullsOf(app).find((p) => p.number === pr!.number)!.body;
    expect(body).toMatch(/the change to `package.json`, `setup.py` was not installed/);

    // 4. A ci_fix round: a failed check on the app's pull request.
    const sha = (await app.fake.branchSha(OWNER, REPO, pr!.head))!;
    await app.send(
      checkRunEvent("completed", app.target("github-actions[bot]"), {
        checkRun: {
          name: "lint",
          headSha: sha,
          conclusion: "failure",
          output: { title: "1 problem", summary: "lint: README" },
          pullRequests: [{ number: pr!.number, head: { ref: pr!.head, sha }, base: { ref: "main" } }],
        },
      }),
    );
    await app.waitForJobs({ count: 4 });
    expectBaseInstalled(4, "ci_fix");

    // 5. A fork's pull request carrying its own install scripts.
    await app.fake.addRepo({ owner: "forker", name: REPO, forkOf: `${OWNER}/${REPO}` });
    await app.fake.commit({
      owner: "forker",
      repo: REPO,
      branch: "feature",
      from: "main",
      files: {
        "package.json": packageJson({
          postinstall: callHome(url, "fork-postinstall"),
          prepare: callHome(url, "fork-prepare"),
        }),
        "setup.py": setupPy(url, "fork-setup-py"),
      },
    });
    const forkPull = await app.fake.addPullRequest({
      owner: OWNER,
      repo: REPO,
      title: "A feature",
      user: "forker",
      head: "feature",
      headRepo: `forker/${REPO}`,
    });
    await comment(app, forkPull.number, "/agent fix polish this", true);
    const all = await app.waitForJobs({ count: 5 });
    expect(all.at(-1)?.outcome?.status, JSON.stringify(all.at(-1)?.outcome)).toBe("pr_opened");
    expectBaseInstalled(5, "fork pull request");
    expect(botComments(app, forkPull.number).at(-1)?.body).toMatch(/was not installed/);
    expect(app.model.errors).toEqual([]);
  }, 240_000);
});
