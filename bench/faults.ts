// Model faults: the time from the fault to the maintainer being told, through
// the whole app with the production defaults for retries and progress edits
// (AGENT_MODEL_RETRIES, AGENT_MODEL_RETRY_WINDOW_S, AGENT_PROGRESS_INTERVAL_MS).
// "Told" is the moment the progress comment on the issue names the fault.
// Targets: under 60 s for a refused key or an unknown model, under 3 min for
// an endpoint that stays down. Run alone with `node bench/faults.ts`.
import { fileURLToPath } from "node:url";
import { loadEnv } from "../src/config/env.ts";
import { startTestApp, MAINTAINER, OWNER, REPO, type TestApp, type TestAppOptions } from "../test/support/app.ts";
import { issuesEvent } from "../test/support/webhooks.ts";
import type { BenchResult } from "./stats.ts";

const DEFAULTS = loadEnv({});

interface Scenario {
  name: string;
  options: TestAppOptions;
  /** Break the endpoint before the job starts; returns when the fault happened, if the model server cannot tell. */
  inject?: (app: TestApp) => Promise<void> | void;
  /** What the comment says once the maintainer is told; `notice` is the retry notice, when there is one. */
  told: RegExp;
  notice?: RegExp;
  targetS: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: "refused key (401)",
    options: { env: { OPENAI_API_KEY: "sk-revoked-0000000000000000000000" } },
    told: /Stopped: model endpoint refused the API key \(401\)/,
    targetS: 60,
  },
  {
    name: "unknown model (404)",
    options: { modelServer: { provider: "openai", model: "gpt-4.1" }, env: { AGENT_MODEL: "gpt-4.1-typo" } },
    told: /Stopped: model endpoint does not know model/,
    targetS: 60,
  },
  {
    name: "endpoint down (503 on every call)",
    options: {},
    inject: (app) => app.model.setFault({ status: 503 }),
    notice: /The model endpoint is failing \(503/,
    told: /Stopped: model endpoint failing: 503/,
    targetS: 180,
  },
  {
    name: "endpoint unreachable (connection refused)",
    options: {},
    inject: (app) => app.model.close(),
    notice: /The model endpoint is failing \(unreachable/,
    told: /Stopped: model endpoint failing: unreachable/,
    targetS: 180,
  },
];

async function measure(s: Scenario): Promise<{ noticeS: number | undefined; toldS: number; requests: number }> {
  const app = await startTestApp({
    files: { "README.md": "# widgets\n", ".github/agent.yml": 'setup: null\ntest: "true"\n' },
    ...s.options,
    env: {
      AGENT_MODEL_RETRIES: String(DEFAULTS.model.retries),
      AGENT_MODEL_RETRY_WINDOW_S: String(DEFAULTS.model.retryWindowMs / 1000),
      AGENT_MODEL_TIMEOUT_S: String(DEFAULTS.model.timeoutMs / 1000),
      AGENT_PROGRESS_INTERVAL_MS: String(DEFAULTS.progressIntervalMs),
      ...s.options.env,
    },
  });
  try {
    await s.inject?.(app);
    const issue = app.fake.addIssue({
      owner: OWNER,
      repo: REPO,
      title: "sum() is wrong",
      body: "sum(2, 3) gives -1.",
      user: "reporter",
    });
    const labelled = Date.now();
    await app.send(
      issuesEvent("labeled", app.target(MAINTAINER), {
        issue: { number: issue.number, title: issue.title },
        label: "agent",
      }),
    );
    let notice: number | undefined;
    let told: number | undefined;
    const deadline = Date.now() + 10 * 60_000;
    while (told === undefined) {
      if (Date.now() > deadline) throw new Error(`${s.name}: the comment never named the fault`);
      const body =
        app.fake.state.issueComments.find((c) => c.issueNumber === issue.number && c.user === app.fake.botLogin)
          ?.body ?? "";
      if (notice === undefined && s.notice?.test(body)) notice = Date.now();
      if (s.told.test(body)) told = Date.now();
      await new Promise((r) => setTimeout(r, 50));
    }
    // The fault happened at the first model request; with nothing listening, at the job's first step (the label as an upper bound).
    const fault = app.model.requests[0]?.at ?? labelled;
    return {
      noticeS: notice === undefined ? undefined : (notice - fault) / 1000,
      toldS: (told - fault) / 1000,
      requests: app.model.requests.length,
    };
  } finally {
    await app.stop();
  }
}

export async function benchFaults(): Promise<BenchResult> {
  const figures: Record<string, string> = {
    "retry policy": `AGENT_MODEL_RETRIES=${DEFAULTS.model.retries}, AGENT_MODEL_RETRY_WINDOW_S=${DEFAULTS.model.retryWindowMs / 1000}, AGENT_PROGRESS_INTERVAL_MS=${DEFAULTS.progressIntervalMs}`,
  };
  for (const s of SCENARIOS) {
    const r = await measure(s);
    if (r.noticeS !== undefined)
      figures[`${s.name}: fault → "failing, trying again at …"`] = `${r.noticeS.toFixed(1)} s`;
    figures[`${s.name}: fault → reported`] =
      `${r.toldS.toFixed(1)} s  (target < ${s.targetS} s: ${r.toldS < s.targetS ? "met" : "NOT met"}; ${r.requests} model request${r.requests === 1 ? "" : "s"})`;
  }
  return { name: "model faults: time to tell the maintainer", figures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchFaults();
  console.log(r.name);
  for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k}  ${v}`);
  process.exit(0);
}
