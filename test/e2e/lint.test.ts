// The repository's lint command (`lint:` of .github/agent.yml): the agent
// runs it with its `lint` tool, the app runs it after the tests and reports
// it beside them; a lint failure makes the PR a draft only with `lint_blocks`.
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

/** A linter that refuses `var` anywhere under src/, as a real one would say it. */
const LINTER = [
  'import { readdirSync, readFileSync } from "node:fs";',
  "let problems = 0;",
  'for (const f of readdirSync("src")) {',
  '  readFileSync(`src/${f}`, "utf8").split("\\n").forEach((line, i) => {',
  "    if (/\\bvar\\b/.test(line)) { console.log(`src/${f}:${i + 1}: Unexpected var, use let or const instead (no-var)`); problems++; }",
  "  });",
  "}",
  'console.log(problems ? `${problems} problem(s)` : "clean");',
  "process.exitCode = problems ? 1 : 0;",
  "",
].join("\n");

/** The fix, written with a `var` the linter refuses; the agent runs `lint` once on the way (what it saw lands in `seen`). */
function turns(seen: string[]): Turn[] {
  return [
    {
      toolCalls: [
        {
          name: "edit",
          arguments: {
            path: "src/sum.js",
            old_str: "  return a - b;",
            new_str: "  var total = a + b;\n  return total;",
          },
        },
      ],
    },
    { toolCalls: [{ name: "lint", arguments: {} }] },
    (req) => {
      seen.push(req.lastToolResult ?? "");
      return FIX_TURNS[4]!;
    },
  ];
}

function labeledIssue(a: TestApp) {
  const issue = a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "sum(2, 3) gives -1.",
    user: "reporter",
  });
  return {
    issue,
    delivery: issuesEvent("labeled", a.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
      label: "agent",
    }),
  };
}

async function run(config: string) {
  const seen: string[] = [];
  app = await startTestApp({
    files: { ...BUGGY_REPO, "tools/lint.mjs": LINTER, ".github/agent.yml": config },
    turns: turns(seen),
  });
  const { issue, delivery } = labeledIssue(app);
  await app.send(delivery);
  const [job] = await app.waitForJobs();
  const [pr] = pullsOf(app);
  const [comment] = botComments(app, issue.number);
  return { job, pr, comment, lintResult: seen.join("\n") };
}

describe("the lint command", () => {
  it("runs as the agent's tool and after the tests; a failure is reported beside the tests and the PR is ready", async () => {
    const { job, pr, comment, lintResult } = await run("lint: node tools/lint.mjs\n");
    expect(lintResult).toContain("FAILED (exit code 1)");
    expect(lintResult).toContain("src/sum.js:2: Unexpected var");
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(pr?.draft).toBe(false);
    expect(pr?.body).toContain("Tests pass");
    expect(pr?.body).toContain("Lint command: `node tools/lint.mjs` → failed (exit code 1)");
    expect(pr?.body).toContain("src/sum.js:2: Unexpected var, use let or const instead (no-var)");
    expect(pr?.body).toContain("not blocking");
    expect(comment?.body).toContain(`#${pr?.number} — tests pass (lint fails)`);
    expect(comment?.body).toContain("Lint: `node tools/lint.mjs` failed (exit code 1)");
  });

  it("makes the PR a draft when the lint fails and lint_blocks is on", async () => {
    const { job, pr, comment } = await run("lint: node tools/lint.mjs\nlint_blocks: true\n");
    expect(job?.outcome?.status).toBe("pr_opened");
    expect(pr?.draft).toBe(true);
    expect(pr?.body).toContain("Tests pass");
    expect(pr?.body).toContain("this PR stays a draft until it passes (`lint_blocks: true`)");
    expect(comment?.body).toContain(`draft #${pr?.number} — tests pass, lint fails`);
  });
});
