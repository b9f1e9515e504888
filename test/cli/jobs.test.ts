import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runJobsCommand } from "../../src/cli/jobs.ts";
import { MemoryQueue } from "../../src/jobs/memory/store.ts";
import { done, newJob, waitFor } from "../jobs/helpers.ts";

let queue: MemoryQueue;
let lines: string[];
const run = (...args: string[]) => runJobsCommand(args, { queue, out: (l) => lines.push(l) });

beforeEach(() => {
  queue = new MemoryQueue();
  lines = [];
});
afterEach(() => queue.close());

describe("issuesmith jobs", () => {
  it("lists jobs newest first in a table", async () => {
    const a = (await queue.enqueue(newJob({ number: 12 }))).job;
    const b = (await queue.enqueue(newJob({ number: 13, kind: "plan" }))).job;
    expect(await run("list")).toBe(0);
    expect(lines[0]).toMatch(/^ID\s+STATE\s+KIND\s+TARGET\s+PHASE\s+TRIES\s+AGE\s+OUTCOME$/);
    expect(lines[1]).toMatch(new RegExp(`^${b.id}\\s+queued\\s+plan\\s+octo/app#13\\s+-\\s+0\\s+\\d+s$`));
    expect(lines[2]).toMatch(new RegExp(`^${a.id}\\s+queued\\s+fix\\s+octo/app#12`));
  });

  it("filters by state and limits the count", async () => {
    const a = (await queue.enqueue(newJob())).job;
    await queue.enqueue(newJob());
    await queue.enqueue(newJob());
    await queue.cancel({ id: a.id }, "stopped by @maya");
    expect(await run("list", "--state", "cancelled")).toBe(0);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/cancelled \(stopped by @maya\): cancelled before it started$/);
    lines = [];
    expect(await run("list", "--state", "queued,running", "--limit", "1")).toBe(0);
    expect(lines).toHaveLength(2);
    lines = [];
    expect(await run("list", "--state", "failed")).toBe(0);
    expect(lines).toEqual(["no failed jobs"]);
  });

  it("shows one job with its place in the queue and its triggers", async () => {
    await queue.enqueue(newJob());
    const { job } = await queue.enqueue(newJob({ number: 9, text: "please fix\nthe parser" }));
    expect(await run("show", job.id)).toBe(0);
    expect(lines).toContain(`id:          ${job.id}`);
    expect(lines).toContain("state:       queued (#2 in the queue)");
    expect(lines).toContain("target:      octo/app#9");
    expect(lines.at(-1)).toMatch(
      /issue_comment\.created by maintainer \(delivery [0-9a-f-]+\): please fix the parser$/,
    );
  });

  it("shows an ended job's model, outcome and usage", async () => {
    const { job } = await queue.enqueue(newJob());
    const w = queue.work(
      async (_j, r) => {
        await r.update({ model: "gpt-4.1-mini" });
        return {
          ...done("opened the PR"),
          prUrl: "https://github.com/octo/app/pull/7",
          usage: { steps: 5, inputTokens: 900, outputTokens: 100, costUsd: 0.0123, wallMs: 42_000 },
        };
      },
      { concurrency: 1, perInstallation: 1 },
    );
    await waitFor(async () => (await queue.get(job.id))?.state === "succeeded", "the job");
    await w.stop(0);
    expect(await run("show", job.id)).toBe(0);
    expect(lines).toContain("model:       gpt-4.1-mini");
    expect(lines).toContain("outcome:     pr_opened: opened the PR");
    expect(lines).toContain("pr:          https://github.com/octo/app/pull/7");
    expect(lines).toContain("usage:       5 steps, 900 tokens in, 100 out, $0.0123, 42 s");
  });

  it("cancels a queued job", async () => {
    const { job } = await queue.enqueue(newJob());
    expect(await run("cancel", job.id)).toBe(0);
    expect(lines).toEqual([`cancelled ${job.id}`]);
    expect((await queue.get(job.id))?.state).toBe("cancelled");
    lines = [];
    expect(await run("show", job.id)).toBe(0);
    expect(lines).toContain("cancelled:   from the command line (`issuesmith jobs cancel`)");
  });

  it("asks a running job to stop", async () => {
    const { job } = await queue.enqueue(newJob());
    const w = queue.work(
      (_j, run) => new Promise((_, reject) => run.signal.addEventListener("abort", () => reject(run.signal.reason))),
      { concurrency: 1, perInstallation: 1 },
    );
    await waitFor(async () => (await queue.get(job.id))?.state === "running", "the job to run");
    expect(await run("cancel", job.id)).toBe(0);
    expect(lines).toEqual([`cancel requested for ${job.id}: its worker stops it within seconds`]);
    await waitFor(async () => (await queue.get(job.id))?.state === "cancelled", "the cancel");
    lines = [];
    expect(await run("list")).toBe(0);
    expect(lines[1]).toMatch(/\scancelled \(from the command line \(`issuesmith jobs cancel`\)/);
    await w.stop(0);
  });

  it("says when there is nothing to cancel, with exit code 1", async () => {
    const { job } = await queue.enqueue(newJob());
    await queue.cancel({ id: job.id }, "stopped by @maya");
    expect(await run("cancel", job.id)).toBe(1);
    expect(lines).toEqual([`job ${job.id} already ended (cancelled); nothing to cancel`]);
    lines = [];
    expect(await run("cancel", "nope")).toBe(1);
    expect(await run("show", "nope")).toBe(1);
    expect(lines).toEqual(["no job nope", "no job nope"]);
  });

  it.each([
    [[], /a subcommand is needed/],
    [["frobnicate"], /unknown subcommand "frobnicate"/],
    [["list", "--state", "done"], /unknown state "done": use one of queued, running/],
    [["list", "--limit", "0"], /--limit must be a positive whole number/],
    [["list", "--colour"], /Unknown option '--colour'/],
    [["show"], /show takes one job id/],
    [["cancel", "a", "b"], /cancel takes one job id/],
  ])("answers bad arguments %j with one line and exit code 2", async (args, message) => {
    expect(await run(...args)).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^issuesmith jobs: /);
    expect(lines[0]).toMatch(message);
  });

  it("prints this month's spend and job counts by installation, repository and model, as the caps count them", async () => {
    await queue.enqueue(newJob({ installationId: 1, repo: "app" }));
    await queue.enqueue(newJob({ installationId: 1, repo: "lib" }));
    await queue.enqueue(newJob({ installationId: 2, repo: "site" }));
    const cancelled = (await queue.enqueue(newJob({ installationId: 2, repo: "site", number: 99 }))).job;
    await queue.cancel({ id: cancelled.id }, "the issue was closed");
    let cost = 0;
    const models = ["gpt-4.1-mini", "gpt-4.1", "gpt-4.1-mini"];
    const w = queue.work(
      async (_j, r) => {
        await r.update({ model: models.shift()! });
        return {
          ...done(),
          usage: { steps: 1, inputTokens: 1, outputTokens: 1, costUsd: (cost += 0.5), wallMs: 1 },
        };
      },
      { concurrency: 1, perInstallation: 1 },
    );
    await waitFor(
      async () => (await queue.list({ states: ["succeeded"] })).length === 3 || undefined,
      "three jobs to end",
    );
    await w.stop(0);
    expect(await run("usage")).toBe(0);
    expect(lines[0]).toMatch(/^Jobs since \d{4}-\d\d-01 \(UTC\)/);
    expect(lines.slice(1)).toEqual([
      "",
      "installation   jobs        cost",
      "1                 2       $1.50",
      "2                 2       $1.50",
      "",
      "repository   jobs        cost",
      "octo/site       2       $1.50",
      "octo/lib        1       $1.00",
      "octo/app        1       $0.50",
      "",
      "model           jobs        cost",
      "gpt-4.1-mini       2       $2.00",
      "gpt-4.1            1       $1.00",
      "(none chosen)      1       $0.00",
    ]);
  });

  it("refuses usage flags it cannot read", async () => {
    expect(await run("usage", "--since", "yesterday")).toBe(2);
    expect(lines[0]).toMatch(/^issuesmith jobs: --since takes a date such as 2026-12-01/);
  });
});
