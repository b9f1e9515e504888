// Time from a job's start (the webhook) to its first model call on a large
// repository (bench/warm-repo.ts: 30,000 files, 5,000 commits, ~250 MB packed,
// real npm dependencies), served by the real git HTTP backend behind the
// fake GitHub: the first job (no mirror, no dependency cache) and later jobs
// (both warm), beside the floor — `git clone` + `npm ci` done directly, in
// the same run. Targets (issue 16): first job ≤ 1.1 × floor, later jobs
// ≤ 15 % of it. Run alone with `node bench/warm-start.ts`.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gitTokenEnv, installationToken } from "../test/support/github-client.ts";
import { appKeys } from "../test/support/keys.ts";
import { startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../test/support/app.ts";
import { issuesEvent } from "../test/support/webhooks.ts";
import { percentile, type BenchResult } from "./stats.ts";
import { bigRepo, COMMITS, FILES, packedBytes } from "./warm-repo.ts";

const exec = promisify(execFile);
const LATER = Number(process.env.BENCH_WARM_RUNS ?? 3);
const s = (msValue: number) => `${(msValue / 1000).toFixed(1)} s`;

/** The fake's acme/widgets made the large repository: its packs copied in, main pointed at its tip. */
async function installBigRepo(app: TestApp, source: string): Promise<void> {
  const gitDir = app.fake.state.repos.get(`${OWNER}/${REPO}`.toLowerCase())!.gitDir;
  const packs = path.join(source, "objects", "pack");
  for (const f of await readdir(packs)) await cp(path.join(packs, f), path.join(gitDir, "objects", "pack", f));
  const { stdout } = await exec("git", ["--git-dir", source, "rev-parse", "refs/heads/main"]);
  await exec("git", ["--git-dir", gitDir, "update-ref", "refs/heads/main", stdout.trim()]);
}

/** Webhook to the first chat-completion request, then the job's end. */
async function harnessRun(app: TestApp, i: number): Promise<number> {
  let first: number | undefined;
  app.model.push(() => {
    first ??= performance.now();
    return { toolCalls: [{ name: "finish", arguments: { summary: "Nothing to change." } }] };
  });
  const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: `warm ${i}`, body: "look", user: "reporter" });
  const jobsBefore = (await app.runtime.queue.list({ limit: 1000 })).length;
  const started = performance.now();
  await app.send(
    issuesEvent("labeled", app.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
      label: "agent",
    }),
  );
  const jobs = await app.waitForJobs({ count: jobsBefore + 1, timeoutMs: 900_000 });
  const job = jobs.find((j) => j.target.number === issue.number);
  if (first === undefined) throw new Error(`job ${i} ended without calling the model: ${JSON.stringify(job?.outcome)}`);
  return first - started;
}

/** What any job must do at the least: clone the repository and install its dependencies. */
async function floorRun(app: TestApp): Promise<number> {
  const keys = await appKeys();
  const dir = await mkdtemp(path.join(tmpdir(), "bench-warm-floor-"));
  try {
    const token = await installationToken(app.fake, keys.privateKey);
    const started = performance.now();
    await exec("git", ["clone", "-q", "--no-tags", `${app.fake.url}/${OWNER}/${REPO}.git`, path.join(dir, "repo")], {
      env: gitTokenEnv(token),
    });
    await exec("npm", ["ci", "--no-audit", "--no-fund"], {
      cwd: path.join(dir, "repo"),
      env: { ...process.env, HOME: dir, npm_config_cache: path.join(dir, "npm-cache") },
    });
    return performance.now() - started;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The part no cache removes on a file system without reflinks: writing the 30,000 files of the checkout. */
async function checkoutRun(source: string): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "bench-warm-checkout-"));
  try {
    const started = performance.now();
    await exec("git", ["clone", "-q", "--local", "--no-tags", source, path.join(dir, "repo")]);
    return performance.now() - started;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchWarmStart(): Promise<BenchResult> {
  const source = await bigRepo((line) => console.error(`  [warm-start] ${line}`));
  const app = await startTestApp({
    env: { AGENT_QUEUE: "sqlite", AGENT_PROGRESS_INTERVAL_MS: "1000", LOG_LEVEL: "info" },
  });
  try {
    await installBigRepo(app, source);
    const floors = [await floorRun(app)];
    const first = await harnessRun(app, 0);
    const later: number[] = [];
    for (let i = 1; i <= LATER; i++) later.push(await harnessRun(app, i));
    floors.push(await floorRun(app));
    const checkout = await checkoutRun(source);
    const floor = percentile(floors, 50);
    const warm = percentile(later, 50);
    return {
      name: "warm start: job start → first model call, large repository",
      figures: {
        repository: `${FILES.toLocaleString("en-US")} files, ${COMMITS.toLocaleString("en-US")} commits, ${((await packedBytes(source)) / 1e6).toFixed(0)} MB packed, npm ci of 5 packages + their dependencies`,
        "floor: git clone + npm ci (median of 2)": `${s(floor)} (${floors.map(s).join(", ")})`,
        "first job (cold mirror, no dependency cache)": s(first),
        [`later jobs (median of ${LATER})`]: `${s(warm)} (${later.map(s).join(", ")})`,
        "checkout alone (local clone, packs hard-linked)": s(checkout),
        "first job / floor": `${(first / floor).toFixed(2)}× — target ≤ 1.1×: ${first <= 1.1 * floor ? "met" : "NOT met"}`,
        "later jobs / floor": `${((warm / floor) * 100).toFixed(0)} % — target ≤ 15 %: ${warm <= 0.15 * floor ? "met" : "NOT met"}`,
      },
    };
  } finally {
    await app.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await benchWarmStart();
  console.log(`## ${result.name}`);
  for (const [k, v] of Object.entries(result.figures)) console.log(`  ${k}: ${v}`);
}
