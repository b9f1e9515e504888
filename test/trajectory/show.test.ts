// `issuesmith show`: a trajectory file, or a job's trajectory from the store,
// printed for a terminal; bad input is one line and exit 2.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { showCommand } from "../../src/cli/show.ts";
import { SqliteStore } from "../../src/jobs/sqlite/store.ts";
import { TrajectoryRecorder } from "../../src/run/trajectory.ts";
import { Redactor } from "../../src/security/redact.ts";
import { StoreTrajectorySink } from "../../src/trajectory/store-sink.ts";
import { KNOWN_SECRET, jobEvents } from "./fixtures.ts";
import { newJob } from "./serve.ts";

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "issuesmith-show-"));
  const recorder = new TrajectoryRecorder({
    jobId: "job-1",
    task: { source: "", title: "", body: "" },
    model: "scripted-model",
    redactor: new Redactor([KNOWN_SECRET]),
  });
  for (const e of jobEvents()) recorder.record(e);
  recorder.record({
    type: "tool",
    step: 6,
    name: "shell",
    arguments: '{"command":"printf x"}',
    output: "\x1b]0;owned\x07\x1b[2Jcleared?",
    isError: false,
    durationMs: 1,
  });
  recorder.finish({ usage: { steps: 5, inputTokens: 7400, outputTokens: 230, costUsd: 0.0074, wallMs: 12_300 } });
  file = path.join(dir, "trajectory.json");
  await writeFile(file, JSON.stringify(recorder.toJSON()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function show(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errs: string[] = [];
  out.on("data", (c: Buffer) => chunks.push(c.toString()));
  err.on("data", (c: Buffer) => errs.push(c.toString()));
  const code = await showCommand(args, { out, err, env });
  return { code, out: chunks.join(""), err: errs.join("") };
}

describe("issuesmith show", () => {
  it("prints the task, each step with its tool calls and first result lines, the tests, the diff and the outcome", async () => {
    const r = await show([file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("sum() returns the wrong result");
    expect(r.out).toMatch(/step 1 1,200→40 tok/);
    expect(r.out).toContain("• view src/sum.js");
    expect(r.out).toContain("│ 1\texport function sum(a, b) {");
    expect(r.out).toContain("│ … 1 more line");
    expect(r.out).toContain("✗ edit src/sum.js");
    expect(r.out).toContain("passed · npm test · exit 0");
    expect(r.out).toContain("1 file (src/sum.js) · +1 -1");
    expect(r.out).toContain("ok — Opened #8 — tests pass");
    expect(r.out).toContain("5 steps · 7,400 tokens in · 230 out · $0.0074");
    expect(r.out).not.toContain(KNOWN_SECRET);
    // Not a TTY: no colour codes of ours, and none from the tool output either.
    expect(r.out).not.toContain("\x1b");
    expect(r.out).toContain("\ufffd]0;owned");
  });

  it("prints whole results and the diff with --full, and the JSON with --json", async () => {
    const full = await show([file, "--full"]);
    expect(full.out).toContain("│ 3\t}");
    expect(full.out).toContain("+  return a + b;");
    const json = await show([file, "--json"]);
    expect(JSON.parse(json.out)).toMatchObject({ version: 1, jobId: "job-1" });
  });

  it("says in one line what is wrong with its input, exit 2", async () => {
    const notJson = path.join(dir, "not.json");
    await writeFile(notJson, "{nope");
    const other = path.join(dir, "other.json");
    await writeFile(other, JSON.stringify({ hello: "world" }));
    const cases: [string[], RegExp][] = [
      [[], /a trajectory file is needed/],
      [[path.join(dir, "missing.json")], /cannot read .*missing\.json: no such file/],
      [[notJson], /not\.json is not JSON/],
      [[other], /other\.json is not an issuesmith trajectory/],
      [[file, "--frobnicate"], /Unknown option '--frobnicate'/],
      [[file, "--job", "x"], /not both/],
    ];
    for (const [args, message] of cases) {
      const r = await show(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split("\n").length).toBeLessThanOrEqual(2);
    }
  });

  it("reads a job's trajectory from the app's store with --job", async () => {
    const dataDir = path.join(dir, "data");
    const store = new SqliteStore(path.join(dataDir, "jobs.db"));
    const { job } = await store.enqueue(newJob());
    const sink = new StoreTrajectorySink({ store, redactor: new Redactor() });
    for (const e of jobEvents()) await sink.record(job.id, e);
    await sink.flush();
    await store.close();
    const r = await show(["--job", job.id], { AGENT_QUEUE: "sqlite", AGENT_DATA_DIR: dataDir, LOG_LEVEL: "silent" });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("sum() returns the wrong result");
    expect(r.out).toContain("• view src/sum.js");
    const missing = await show(["--job", "no-such-job"], { AGENT_QUEUE: "sqlite", AGENT_DATA_DIR: dataDir });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no job no-such-job in the sqlite store");
  });
});
