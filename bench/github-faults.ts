// GitHub faults: the time from an injected fault to the maintainer being told
// (the progress comment names the PR, or the refusal), through the whole app
// with the production octokit (retries, rate-limit handling and GitHub's
// pacing of writes), and that each fault still yields exactly one PR and one
// progress comment. Run alone with `node bench/github-faults.ts`.
import { fileURLToPath } from "node:url";
import { branchName } from "../src/run/issue-context.ts";
import { startTestApp, MAINTAINER, OWNER, REPO, type TestApp } from "../test/support/app.ts";
import type { Turn } from "../test/support/model-server.ts";
import { issuesEvent } from "../test/support/webhooks.ts";
import type { BenchResult } from "./stats.ts";

const TITLE = "sum() is wrong";
const TURNS: Turn[] = [
  { toolCalls: [{ name: "edit", arguments: { path: "src/sum.js", old_str: "a - b", new_str: "a + b" } }] },
  { toolCalls: [{ name: "finish", arguments: { summary: "Fixed sum." } }] },
];

interface Scenario {
  name: string;
  inject: (app: TestApp) => void;
  /** Where the fault hit: an injected failure, or (refusals the fake makes itself) the last request matching `hits`. */
  hits?: RegExp;
  told: RegExp;
}

const PR_MADE = /(Opened|Updated) (draft )?#\d+/;
const SCENARIOS: Scenario[] = [
  {
    name: "PR created, answer lost (502)",
    inject: (a) => a.fake.fault("POST", "/repos/{owner}/{repo}/pulls", { kind: "lost-answer" }),
    told: PR_MADE,
  },
  {
    name: "progress comment: secondary rate limit (retry-after 5 s)",
    inject: (a) =>
      a.fake.fault("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", {
        kind: "secondary-rate-limit",
        seconds: 5,
      }),
    told: PR_MADE,
  },
  {
    name: "PR create: primary rate limit (reset in 10 s)",
    inject: (a) => a.fake.fault("POST", "/repos/{owner}/{repo}/pulls", { kind: "primary-rate-limit", seconds: 10 }),
    told: PR_MADE,
  },
  {
    name: "issue read: 502 twice",
    inject: (a) => a.fake.failNext("GET", "/repos/{owner}/{repo}/issues/{issue_number}", 502, 2),
    told: PR_MADE,
  },
  {
    name: "push refused (branch protection)",
    inject: (a) => a.fake.protectBranch(OWNER, REPO, branchName("agent/", 1, TITLE)),
    hits: /git-receive-pack$/,
    told: /GitHub refused the push: branch protection/,
  },
];

async function measure(s: Scenario): Promise<{ toldS: number; pulls: number; comments: number }> {
  const app = await startTestApp({
    files: {
      "README.md": "# widgets\n",
      "src/sum.js": "export const sum = (a, b) => a - b;\n",
      ".github/agent.yml": 'setup: null\ntest: "true"\nbudget:\n  test_rounds: 0\n',
    },
    turns: TURNS,
    productionOctokit: "paced",
  });
  try {
    s.inject(app);
    const issue = app.fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: TITLE,
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    await app.send(
      issuesEvent("labeled", app.target(MAINTAINER), {
        issue: { number: issue.number, title: issue.title },
        label: "agent",
      }),
    );
    const deadline = Date.now() + 5 * 60_000;
    const mine = () =>
      app.fake.state.issueComments.filter(
        (c) =>
          c.issueNumber === issue.number && c.user === app.fake.botLogin && c.body.includes("<!-- issuesmith:job:"),
      );
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${s.name}: the maintainer was never told`);
      if (mine().some((c) => s.told.test(c.body))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const told = Date.now();
    const hit = s.hits
      ? app.fake.requests.filter((r) => s.hits!.test(r.path.split("?")[0] ?? "")).at(-1)
      : app.fake.requests.find((r) => r.injected);
    if (!hit) throw new Error(`${s.name}: the fault never happened`);
    const fault = hit.at;
    await app.waitForJobs({ timeoutMs: 60_000 });
    return { toldS: (told - fault) / 1000, pulls: app.fake.state.pulls.length, comments: mine().length };
  } finally {
    await app.stop();
  }
}

export async function benchGitHubFaults(): Promise<BenchResult> {
  const figures: Record<string, string> = {};
  for (const s of SCENARIOS) {
    const r = await measure(s);
    figures[`${s.name}: fault → maintainer told`] =
      `${r.toldS.toFixed(1)} s  (${r.pulls} PR, ${r.comments} progress comment${r.comments === 1 ? "" : "s"})`;
  }
  return { name: "GitHub faults: time to tell the maintainer, and nothing made twice", figures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchGitHubFaults();
  console.log(r.name);
  for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k}  ${v}`);
  process.exit(0);
}
