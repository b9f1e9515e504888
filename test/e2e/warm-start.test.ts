// Two fix jobs on one repository through the running app: the first makes the
// repository mirror and fills the dependency cache from its trusted install;
// the second starts from the spare workspace made meanwhile, gets the installed tree back, and
// only checks it. Neither puts the tree in its pull request.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../support/app.ts";
import { npmProjectFiles } from "../support/npm-fixture.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "./fixtures.ts";

let app: TestApp | undefined;
let files: Record<string, string | Buffer>;
beforeAll(async () => {
  files = { ...BUGGY_REPO, ...(await npmProjectFiles()), ".github/agent.yml": "setup: npm ci\n" };
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

async function fixAnIssue(a: TestApp, title: string) {
  a.model.push(...FIX_TURNS);
  const issue = a.fake.addIssue({ owner: OWNER, repo: REPO, title, body: "sum(2, 3) gives -1.", user: "reporter" });
  const before = pullsOf(a).length;
  await a.send(
    issuesEvent("labeled", a.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
      label: "agent",
    }),
  );
  await a.waitForJobs({ predicate: () => pullsOf(a).length > before, timeoutMs: 120_000 });
  return pullsOf(a).at(-1)!;
}

const logged = (a: TestApp, msg: string) =>
  a.logs.map((l) => JSON.parse(l) as { msg: string; mirror?: string }).filter((l) => l.msg === msg);

describe("a warm start", () => {
  it("clones the second job through the mirror and gives it the installed dependencies to check, not install", async () => {
    app = await startTestApp({ files });
    const first = await fixAnIssue(app, "sum() is wrong");
    expect(first.body).not.toContain("restored from the cache");
    expect(logged(app, "cloned through the repository mirror").map((l) => l.mirror)).toEqual(["cold"]);
    expect(logged(app, "installed dependencies kept in the cache")).toHaveLength(1);

    const second = await fixAnIssue(app, "sum() is still wrong");
    expect(second.body).toContain("Tests pass");
    expect(second.body).toContain("Dependencies: restored from the cache");
    expect(second.body).toContain("npm ls --all --offline");
    // The first job left a spare workspace behind (made while it worked): the second starts from it.
    expect(logged(app, "cloned through the repository mirror").map((l) => l.mirror)).toEqual(["cold", "spare"]);
    expect(logged(app, "spare workspace ready").length).toBeGreaterThanOrEqual(1);
    expect(logged(app, "dependencies restored from the cache")).toHaveLength(1);
    const changed = await app.fake.git(OWNER, REPO, ["diff", "--name-only", `main...${second.head}`]);
    expect(changed.trim().split("\n")).toEqual(["src/sum.js"]);
  }, 240_000); // two whole jobs with a real npm ci, on a loaded machine

  it("with AGENT_CACHE_MAX_MB=0 clones straight from the remote and keeps nothing", async () => {
    app = await startTestApp({ files, env: { AGENT_CACHE_MAX_MB: "0" } });
    await fixAnIssue(app, "sum() is wrong");
    await fixAnIssue(app, "sum() is still wrong");
    expect(logged(app, "cloned through the repository mirror")).toEqual([]);
    expect(logged(app, "installed dependencies kept in the cache")).toEqual([]);
  }, 240_000);
});
