// The refresher of waiting jobs' places in line, over a queue and a GitHub
// stand-in that records what it is asked to write.
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Octokit } from "../../src/github/octokit.ts";
import { jobMarker } from "../../src/github/progress-comment.ts";
import type { JobRecord, JobState } from "../../src/shared/job.ts";
import { QueuePositions } from "../../src/run/queue-positions.ts";
import { Redactor } from "../../src/security/redact.ts";

function job(id: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    kind: "fix",
    installationId: 7,
    target: { owner: "octo", repo: "app", number: Number(id.replace(/\D/g, "")) || 1, isPullRequest: false },
    trigger: { deliveryId: `d-${id}`, event: "issues.labeled", actor: "maintainer", at: "2026-11-29T00:00:00Z" },
    state: "queued",
    progressCommentId: 1000 + (Number(id.replace(/\D/g, "")) || 0),
    ...over,
  } as JobRecord;
}

function world(waiting: JobRecord[], options: { maxPerRound?: number; failFor?: number } = {}) {
  const states = new Map<string, JobState>(waiting.map((j) => [j.id, j.state]));
  const writes: { comment_id: number; body: string; installation: number }[] = [];
  let failed = false;
  const octokitFor = async (installation: number) =>
    ({
      request: async (_route: string, params: { comment_id: number; body: string }) => {
        if (params.comment_id === options.failFor && !failed) {
          failed = true;
          throw new Error("502 from GitHub");
        }
        writes.push({ comment_id: params.comment_id, body: params.body, installation });
        return { data: {} };
      },
    }) as unknown as Octokit;
  const queue = {
    // Newest first, like the stores.
    list: async () =>
      waiting
        .filter((j) => states.get(j.id) === "queued")
        .slice()
        .reverse(),
    get: async (id: string) => {
      const j = waiting.find((w) => w.id === id);
      return j && { ...j, state: states.get(id)! };
    },
  };
  const positions = new QueuePositions(
    {
      queue,
      octokitFor,
      redactor: new Redactor(["sekret-value"]),
      log: pino({ level: "silent" }),
      model: "scripted-model",
    },
    options.maxPerRound ? { maxPerRound: options.maxPerRound } : {},
  );
  return { positions, writes, states };
}

describe("QueuePositions", () => {
  it("shows each waiting job its place, then edits only the comments whose place changed", async () => {
    const { positions, writes, states } = world([job("j1"), job("j2"), job("j3")]);
    positions.shown("j1", 1); // what the acknowledgement showed
    expect(await positions.refresh()).toBe(2);
    expect(writes.map((w) => w.comment_id)).toEqual([1002, 1003]);
    expect(writes[0]!.body).toContain("#2 in line");
    expect(writes[1]!.body).toContain("#3 in line");
    expect(writes[1]!.body).toContain(jobMarker("j3"));
    expect(writes[0]!.installation).toBe(7);

    expect(await positions.refresh()).toBe(0);
    states.set("j1", "running"); // the first one started: everyone moves up
    expect(await positions.refresh()).toBe(2);
    expect(
      writes
        .slice(2)
        .map((w) => [w.comment_id, /starting shortly/.test(w.body) ? 1 : /#2 in line/.test(w.body) ? 2 : 0]),
    ).toEqual([
      [1002, 1],
      [1003, 2],
    ]);
  });

  it("leaves alone replies, jobs not yet acknowledged, and a job that started meanwhile", async () => {
    const started = job("j3");
    const { positions, writes, states } = world([
      job("j1", { kind: "reply" }),
      job("j2", { progressCommentId: undefined }),
      started,
    ]);
    const listed = positions.refresh();
    states.set("j3", "running");
    expect(await listed).toBe(0);
    expect(writes).toEqual([]);
  });

  it("edits at most maxPerRound comments a round, the oldest jobs first, and the rest next round", async () => {
    const { positions, writes } = world(
      Array.from({ length: 5 }, (_, i) => job(`j${i + 1}`)),
      { maxPerRound: 2 },
    );
    expect(await positions.refresh()).toBe(2);
    expect(await positions.refresh()).toBe(2);
    expect(await positions.refresh()).toBe(1);
    expect(writes.map((w) => w.comment_id)).toEqual([1001, 1002, 1003, 1004, 1005]);
  });

  it("goes on past a comment GitHub refused to edit, and tries it again next round", async () => {
    const { positions, writes } = world([job("j1"), job("j2")], { failFor: 1001 });
    expect(await positions.refresh()).toBe(1);
    expect(writes.map((w) => w.comment_id)).toEqual([1002]);
    expect(await positions.refresh()).toBe(1);
    expect(writes.map((w) => w.comment_id)).toEqual([1002, 1001]);
  });
});
