import { describe, expect, it } from "vitest";
import { parseSpendCaps } from "../../src/config/spend-caps.ts";
import { capWindow, checkSpendCaps } from "../../src/jobs/spend.ts";
import type { JobQueue, JobRecord, JobState } from "../../src/shared/job.ts";

const NOW = new Date("2026-12-02T15:30:00Z");

function job(over: {
  createdAt: string;
  state?: JobState;
  costUsd?: number;
  installationId?: number;
  repo?: string;
  kind?: JobRecord["kind"];
}): JobRecord {
  const [owner, repo] = (over.repo ?? "acme/widgets").split("/") as [string, string];
  return {
    id: Math.random().toString(36).slice(2),
    key: `${owner}/${repo}#1`,
    kind: over.kind ?? "fix",
    installationId: over.installationId ?? 7,
    target: { owner, repo, number: 1, isPullRequest: false },
    trigger: { deliveryId: "d", event: "issues.labeled", actor: "maya", at: over.createdAt },
    triggers: [],
    state: over.state ?? "succeeded",
    phase: undefined,
    attempts: 1,
    crashResumes: 0,
    progressCommentId: undefined,
    checkpoint: undefined,
    outcome:
      over.costUsd === undefined
        ? undefined
        : {
            status: "pr_opened",
            summary: "",
            usage: { steps: 3, inputTokens: 1, outputTokens: 1, costUsd: over.costUsd, wallMs: 1 },
          },
    cancelRequested: false,
    cancelReason: undefined,
    model: undefined,
    createdAt: over.createdAt,
    updatedAt: over.createdAt,
    startedAt: undefined,
    finishedAt: undefined,
  } as JobRecord;
}

/** A store's `list` as the contract pins it: newest first, `since` inclusive. */
function storeOf(jobs: JobRecord[]): Pick<JobQueue, "list"> & { reads: number } {
  const s = {
    reads: 0,
    async list(filter: { since?: string } = {}) {
      s.reads++;
      return jobs
        .filter((j) => !filter.since || j.createdAt >= filter.since)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
  };
  return s;
}

const req = { installationId: 7, repo: "Acme/Widgets", budgetUsd: 2 };

describe("spend caps", () => {
  it("counts UTC days and months, and resets at the next one", () => {
    expect(capWindow("day", NOW)).toEqual({
      start: new Date("2026-12-02T00:00:00Z"),
      end: new Date("2026-12-03T00:00:00Z"),
    });
    expect(capWindow("month", NOW)).toEqual({
      start: new Date("2026-12-01T00:00:00Z"),
      end: new Date("2027-01-01T00:00:00Z"),
    });
  });

  it("lets a job start while it fits under every cap, with one read of the store", async () => {
    const store = storeOf([job({ createdAt: "2026-12-02T10:00:00Z", costUsd: 1 })]);
    const caps = { installation: { day: { usd: 5, jobs: 3 }, month: { usd: 50 } }, repository: { day: { jobs: 2 } } };
    expect(await checkSpendCaps(store, caps, req, NOW)).toBeUndefined();
    expect(store.reads).toBe(1);
  });

  it("refuses a job that would pass the daily job count, with the numbers and the reset time", async () => {
    const store = storeOf([
      job({ createdAt: "2026-12-02T01:00:00Z", costUsd: 0.1 }),
      job({ createdAt: "2026-12-02T02:00:00Z", costUsd: 0.1 }),
      job({ createdAt: "2026-12-01T23:59:00Z", costUsd: 0.1 }),
    ]);
    const refusal = await checkSpendCaps(store, { repository: { day: { jobs: 2 } } }, req, NOW);
    expect(refusal).toMatchObject({ scope: "repository", window: "day", measure: "jobs", limit: 2, used: 2 });
    expect(refusal?.message).toContain("2 of 2 jobs were already started today (UTC)");
    expect(refusal?.message).toContain("resets at 2026-12-03T00:00:00Z");
  });

  it("counts a running job as its whole budget, so two jobs cannot overshoot the cost cap between them", async () => {
    const store = storeOf([
      job({ createdAt: "2026-12-02T09:00:00Z", costUsd: 1 }),
      job({ createdAt: "2026-12-02T15:00:00Z", state: "running" }),
    ]);
    // Spent 1 + reserved 2 for the running job + 2 for this one = 5 > 4.5.
    const refusal = await checkSpendCaps(store, { installation: { month: { usd: 4.5 } } }, req, NOW);
    expect(refusal).toMatchObject({ scope: "installation", window: "month", measure: "usd", limit: 4.5, used: 3 });
    expect(refusal?.message).toMatch(
      /\$3\.00 of the \$4\.50 cap is spent or reserved this month \(UTC\), and this job may spend up to \$2\.00/,
    );
    expect(await checkSpendCaps(store, { installation: { month: { usd: 5 } } }, req, NOW)).toBeUndefined();
  });

  it("counts only the installation's and the repository's own jobs, and no replies", async () => {
    const store = storeOf([
      job({ createdAt: "2026-12-02T09:00:00Z", installationId: 8, costUsd: 9 }),
      job({ createdAt: "2026-12-02T09:00:00Z", repo: "acme/other", costUsd: 9 }),
      job({ createdAt: "2026-12-02T09:00:00Z", kind: "reply" }),
    ]);
    expect(await checkSpendCaps(store, { repository: { day: { usd: 3, jobs: 1 } } }, req, NOW)).toBeUndefined();
    expect(await checkSpendCaps(store, { installation: { day: { usd: 3 } } }, req, NOW)).toMatchObject({
      scope: "installation",
      used: 9,
    });
  });

  it("reads AGENT_SPEND_CAPS as JSON and names what is wrong in it", () => {
    const problems: string[] = [];
    expect(parseSpendCaps('{"installation":{"day":{"usd":10}}}', problems)).toEqual({
      installation: { day: { usd: 10 } },
    });
    expect(parseSpendCaps(undefined, problems)).toEqual({});
    expect(problems).toEqual([]);
    parseSpendCaps("{nope", problems);
    parseSpendCaps('{"installation":{"week":{"usd":10}}}', problems);
    parseSpendCaps('{"repository":{"day":{"jobs":-1}}}', problems);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^AGENT_SPEND_CAPS: not valid JSON/);
    expect(problems[1]).toMatch(/^AGENT_SPEND_CAPS: installation: .*week/);
    expect(problems[2]).toMatch(/^AGENT_SPEND_CAPS: repository\.day\.jobs: /);
  });
});
