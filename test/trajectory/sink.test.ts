// The app's trajectory sink: redacted records, written a step at a time,
// read back as the trajectory the page and the export show.
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/jobs/memory/store.ts";
import type { TrajectoryLog } from "../../src/jobs/store.ts";
import { Redactor } from "../../src/security/redact.ts";
import { assembleTrajectory } from "../../src/trajectory/assemble.ts";
import { LinkSigner } from "../../src/trajectory/signing.ts";
import { MAX_FIELD_CHARS, StoreTrajectorySink } from "../../src/trajectory/store-sink.ts";
import { DIFF, KNOWN_SECRET, TOKEN_LIKE, jobEvents } from "./fixtures.ts";

/** A store that counts its writes. */
function countingStore(): TrajectoryLog & { batches: number[]; inner: MemoryStore } {
  const inner = new MemoryStore();
  const batches: number[] = [];
  return {
    inner,
    batches,
    async appendTrajectory(jobId, records) {
      batches.push(records.length);
      await inner.appendTrajectory(jobId, records);
    },
    readTrajectory: (jobId) => inner.readTrajectory(jobId),
  };
}

describe("StoreTrajectorySink", () => {
  it("writes about once per step, not once per event, and keeps every event in order", async () => {
    const store = countingStore();
    const sink = new StoreTrajectorySink({ store, redactor: new Redactor(), flushDelayMs: 60_000 });
    const events = jobEvents();
    for (const e of events) await sink.record("job-1", e);
    await sink.flush();
    const stored = await store.readTrajectory("job-1");
    expect(stored).toHaveLength(events.length);
    expect(stored.map((r) => (JSON.parse(r) as { type: string }).type)).toEqual(events.map((e) => e.type));
    // 5 steps, 5 phases, a test run, a task, a diff, an outcome: one write each; tool results ride along.
    expect(store.batches.length).toBe(events.length - 5);
    expect(store.batches.filter((n) => n === 2)).toHaveLength(5);
  });

  it("flushes waiting tool results after a while when no next step comes", async () => {
    const store = countingStore();
    const sink = new StoreTrajectorySink({ store, redactor: new Redactor(), flushDelayMs: 20 });
    await sink.record("job-1", {
      type: "tool",
      step: 1,
      name: "shell",
      arguments: "{}",
      output: "slow",
      isError: false,
      durationMs: 1,
    });
    expect(await store.readTrajectory("job-1")).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 80));
    expect(await store.readTrajectory("job-1")).toHaveLength(1);
  });

  it("redacts known secrets and token shapes in every field before storing", async () => {
    const store = new MemoryStore();
    const sink = new StoreTrajectorySink({ store, redactor: new Redactor([KNOWN_SECRET]) });
    for (const e of jobEvents()) await sink.record("job-1", e);
    await sink.flush();
    const raw = (await store.readTrajectory("job-1")).join("\n");
    expect(raw).not.toContain(KNOWN_SECRET);
    expect(raw).not.toContain(TOKEN_LIKE);
    expect(raw).toContain("[REDACTED]");
  });

  it("cuts any huge text field, keeping its head and tail", async () => {
    const store = new MemoryStore();
    const sink = new StoreTrajectorySink({ store, redactor: new Redactor() });
    const output = `HEAD${"x".repeat(MAX_FIELD_CHARS * 3)}TAIL`;
    await sink.record("job-1", {
      type: "tool",
      step: 1,
      name: "shell",
      arguments: "{}",
      output,
      isError: false,
      durationMs: 1,
    });
    await sink.flush();
    const [record] = await store.readTrajectory("job-1");
    const stored = (JSON.parse(record!) as { output: string }).output;
    expect(stored.length).toBeLessThanOrEqual(MAX_FIELD_CHARS);
    expect(stored.startsWith("HEAD")).toBe(true);
    expect(stored.endsWith("TAIL")).toBe(true);
  });

  it("never fails the job when the store does not answer: it logs and carries on", async () => {
    const warnings: string[] = [];
    const broken: TrajectoryLog = {
      appendTrajectory: () => Promise.reject(new Error("disk full")),
      readTrajectory: async () => [],
    };
    const sink = new StoreTrajectorySink({
      store: broken,
      redactor: new Redactor(),
      log: { warn: (_o, m) => warnings.push(m) },
    });
    await expect(sink.record("job-1", { type: "phase", phase: "clone" })).resolves.toBeUndefined();
    expect(warnings).toEqual(["could not store trajectory records"]);
  });

  it("reads back as a trajectory with the task, the diff, the outcome and the usage summed from model calls", async () => {
    const store = new MemoryStore();
    const sink = new StoreTrajectorySink({ store, redactor: new Redactor() });
    for (const e of jobEvents()) await sink.record("job-1", e);
    await sink.flush();
    const t = assembleTrajectory("job-1", await store.readTrajectory("job-1"));
    expect(t.task.title).toBe("sum() returns the wrong result");
    expect(t.diff).toBe(DIFF);
    expect(t.outcome).toEqual({ status: "ok", summary: "Opened #8 — tests pass" });
    expect(t.model).toBe("scripted-model");
    expect(t.usage).toMatchObject({ steps: 5, inputTokens: 7400, outputTokens: 230 });
    expect(t.entries.some((e) => e.type === "task" || e.type === "diff")).toBe(false);
  });

  it("links to the job's page only when the app has a public URL", () => {
    const store = new MemoryStore();
    const withUrl = new StoreTrajectorySink({
      store,
      redactor: new Redactor(),
      signer: new LinkSigner({ secret: "whsec", publicUrl: "https://a.example" }),
    });
    const withoutUrl = new StoreTrajectorySink({
      store,
      redactor: new Redactor(),
      signer: new LinkSigner({ secret: "whsec", publicUrl: undefined }),
    });
    expect(withUrl.link("job-1")).toMatch(/^https:\/\/a\.example\/jobs\/job-1\?exp=\d+&sig=[\w-]+$/);
    expect(withoutUrl.link("job-1")).toBeUndefined();
  });
});
