// Time to bring the app's pull request up to date when its base moved 50
// commits ahead (issue 15): `/agent update` from the webhook to the merge
// commit pushed and the reply written (clone, merge, setup, tests, push), and
// the merge step alone. The base's commits do not conflict with the branch, so
// no model is asked. Run alone with `node bench/base-update.ts`.
import { startTestApp, MAINTAINER, OWNER, REPO, pullsOf, type TestApp } from "../test/support/app.ts";
import { issueCommentEvent, issuesEvent } from "../test/support/webhooks.ts";
import { BUGGY_REPO, FIX_TURNS } from "../test/e2e/fixtures.ts";
import { percentile, type BenchResult } from "./stats.ts";

const BEHIND = 50;
const RUNS = Number(process.env.BENCH_UPDATE_RUNS ?? 3);
const s = (msValue: number) => `${(msValue / 1000).toFixed(2)} s`;

/** When the app logged `msg` for `job` (pino's epoch-ms `time`). */
function loggedAt(app: TestApp, job: string, msg: string): number {
  for (const line of app.logs) {
    const entry = JSON.parse(line) as { job?: string; msg?: string; time?: number };
    if (entry.job === job && entry.msg === msg && entry.time !== undefined) return entry.time;
  }
  throw new Error(`no "${msg}" logged for job ${job}`);
}

async function moveBase(app: TestApp, round: number): Promise<void> {
  for (let i = 0; i < BEHIND; i++)
    await app.fake.commit({
      owner: OWNER,
      repo: REPO,
      branch: "main",
      files: { [`docs/round-${round}/note-${i}.md`]: `note ${i} of round ${round}\n` },
      message: `docs: note ${i}`,
    });
}

export async function benchBaseUpdate(): Promise<BenchResult> {
  const app = await startTestApp({ files: BUGGY_REPO, turns: FIX_TURNS });
  try {
    const issue = app.fake.addIssue({ owner: OWNER, repo: REPO, title: "sum is wrong", body: "", user: "reporter" });
    await app.send(
      issuesEvent("labeled", app.target(), { issue: { number: issue.number, title: issue.title }, label: "agent" }),
    );
    await app.waitForJobs();
    const [pr] = pullsOf(app);
    if (!pr) throw new Error("the app opened no pull request");
    const totals: number[] = [];
    const merges: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      await moveBase(app, round);
      const before = (await app.runtime.queue.list({ limit: 1000 })).length;
      const body = "/agent update";
      const c = app.fake.addIssueComment({ owner: OWNER, repo: REPO, issueNumber: pr.number, user: MAINTAINER, body });
      const started = performance.now();
      await app.send(
        issueCommentEvent("created", app.target(), {
          issue: { number: pr.number, isPullRequest: true },
          comment: { id: c.id, body },
        }),
      );
      const jobs = await app.waitForJobs({ count: before + 1, timeoutMs: 300_000 });
      totals.push(performance.now() - started);
      const update = jobs.filter((j) => j.kind === "update").sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      if (update?.outcome?.status !== "pr_updated")
        throw new Error(`round ${round}: ${JSON.stringify(update?.outcome)}`);
      merges.push(
        loggedAt(app, update.id, "merged the base into the branch") - loggedAt(app, update.id, "phase merge"),
      );
    }
    if (app.model.requests.length !== FIX_TURNS.length) throw new Error("the model was asked during an update");
    return {
      name: `base update: the app's PR ${BEHIND} commits behind, no conflicts (${RUNS} runs)`,
      figures: {
        "/agent update, webhook → merge pushed and replied (median)": s(percentile(totals, 50)),
        "/agent update (max)": s(Math.max(...totals)),
        "merge step alone (median)": s(percentile(merges, 50)),
      },
    };
  } finally {
    await app.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchBaseUpdate();
  console.log(result.name);
  for (const [k, v] of Object.entries(result.figures)) console.log(`  ${k}  ${v}`);
}
