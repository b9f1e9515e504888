// Webhook → pull request, with the scripted model, beside the floor: the same
// clone + test + push + PR done directly with git and octokit, in the same
// run against the same fake GitHub. Target: harness ≤ 1.5 × floor + 2 s.
// Run alone with `node bench/pipeline.ts`.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { installationOctokit, installationToken, gitTokenEnv } from "../test/support/github-client.ts";
import { appKeys } from "../test/support/keys.ts";
import { pullsOf, startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../test/support/app.ts";
import type { Turn } from "../test/support/model-server.ts";
import { issuesEvent } from "../test/support/webhooks.ts";
import { percentile, ms, type BenchResult } from "./stats.ts";

const exec = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const FILES: Record<string, string> = {
  // No dependencies to install, as in the floor: the figure is the pipeline's overhead.
  ".github/agent.yml": "test: node --test\nsetup: null\n",
  "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
  "test/sum.test.mjs":
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { sum } from "../src/sum.js";\ntest("adds", () => assert.equal(sum(2, 3), 5));\n',
  "package.json": '{ "type": "module" }\n',
};

function turns(): Turn[] {
  return [
    { toolCalls: [{ name: "view", arguments: { path: "src/sum.js" } }] },
    {
      toolCalls: [
        { name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: "return a + b;" } },
      ],
    },
    { toolCalls: [{ name: "finish", arguments: { summary: "sum adds now." } }] },
  ];
}

async function harnessRun(app: TestApp, i: number): Promise<number> {
  app.model.push(...turns());
  const issue = app.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: `bench ${i}`,
    body: "sum is wrong",
    user: "reporter",
  });
  const before = pullsOf(app).length;
  const started = performance.now();
  await app.send(
    issuesEvent("labeled", app.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title },
      label: "agent",
    }),
  );
  await app.waitForJobs({ predicate: () => pullsOf(app).length > before, timeoutMs: 120_000 });
  return performance.now() - started;
}

/** What the job does at the least: clone, the test command, a commit, push, open the PR. */
async function floorRun(app: TestApp, i: number): Promise<number> {
  const keys = await appKeys();
  const dir = await mkdtemp(path.join(tmpdir(), "bench-floor-"));
  const started = performance.now();
  try {
    const token = await installationToken(app.fake, keys.privateKey);
    const env = {
      ...gitTokenEnv(token),
      GIT_AUTHOR_NAME: "b",
      GIT_AUTHOR_EMAIL: "b@b",
      GIT_COMMITTER_NAME: "b",
      GIT_COMMITTER_EMAIL: "b@b",
    };
    await exec("git", ["clone", "-q", "--no-tags", `${app.fake.url}/${OWNER}/${REPO}.git`, dir], { env });
    const branch = `floor-${i}`;
    await exec("git", ["checkout", "-q", "-b", branch], { cwd: dir, env });
    await writeFile(path.join(dir, "src/sum.js"), FILES["src/sum.js"]!.replace("a - b", "a + b"));
    await exec("node", ["--test"], { cwd: dir });
    await exec("git", ["commit", "-qam", "fix"], { cwd: dir, env });
    await exec("git", ["push", "-q", "origin", `HEAD:refs/heads/${branch}`], { cwd: dir, env });
    await installationOctokit(app.fake, keys.privateKey).request("POST /repos/{owner}/{repo}/pulls", {
      owner: OWNER,
      repo: REPO,
      head: branch,
      base: "main",
      title: "floor",
      body: "floor",
    });
    return performance.now() - started;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchPipeline(): Promise<BenchResult> {
  const app = await startTestApp({ files: FILES, env: { AGENT_QUEUE: "sqlite", AGENT_PROGRESS_INTERVAL_MS: "1000" } });
  try {
    // Warm both paths once (validators, token cache, parsers).
    await harnessRun(app, -1);
    await floorRun(app, -1);
    const harness: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      harness.push(await harnessRun(app, i));
      floor.push(await floorRun(app, i));
    }
    const h = percentile(harness, 50);
    const f = percentile(floor, 50);
    const target = 1.5 * f + 2_000;
    return {
      name: "webhook → PR (scripted model)",
      figures: {
        runs: RUNS,
        "harness p50 ms": ms(h),
        "floor p50 ms": ms(f),
        "target ms (1.5×floor+2s)": ms(target),
        "within target": h <= target ? "yes" : "NO",
      },
    };
  } finally {
    await app.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchPipeline(), null, 2));
}
