// `issuesmith eval` end to end with the scripted model: five tasks, each
// ending in another verdict; results.jsonl, the report, trajectories, and
// --resume running only what has no result.
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalCommand } from "../../src/cli/eval.ts";
import type { TaskResult } from "../../src/eval/run-task.ts";
import { createModelServer, type ModelServer } from "../support/model-server.ts";
import { capture } from "./cli-io.ts";
import { PLANS, planTurn, writeTaskSet, type TaskSet } from "./fixtures.ts";

let model: ModelServer;
let set: TaskSet;
let outDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  model = await createModelServer({ turns: Array.from({ length: 200 }, () => planTurn) });
  set = await writeTaskSet();
  outDir = path.join(set.dir, "out");
  env = {
    OPENAI_BASE_URL: model.url,
    OPENAI_API_KEY: "sk-test-eval-key-0123456789",
    AGENT_MODEL: "scripted-model",
    AGENT_WORK_DIR: tmpdir(),
    AGENT_MODEL_RETRIES: "0",
  };
});

afterAll(async () => {
  await model?.close();
  if (set) await rm(set.dir, { recursive: true, force: true });
});

const runEvalCli = (args: string[]) =>
  capture((io) => evalCommand([set.tasksFile, "--out", outDir, "--max-steps", "3", ...args], io), env);

async function results(): Promise<TaskResult[]> {
  const text = await readFile(path.join(outDir, "results.jsonl"), "utf8");
  return text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as TaskResult);
}

describe("issuesmith eval with the scripted model", () => {
  it("gives every task its verdict and says why, in results.jsonl, the report and the trajectories", async () => {
    const run = await runEvalCli(["--concurrency", "2"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(1);
    expect(run.out).toContain("Resolved 1 of 5");
    expect(model.errors).toEqual([]);

    const byId = new Map((await results()).map((r) => [r.id, r]));
    expect(byId.size).toBe(5);
    expect(byId.get("sum-fixed")).toMatchObject({
      resolved: true,
      failure: null,
      steps: 2,
      changed: ["src/sum.js"],
      model: "scripted-model",
    });
    expect(byId.get("sum-fixed")!.patch).toContain("+  return a + b;");
    expect(byId.get("sum-fixed")!.tests?.failToPass).toEqual({ "adds two numbers": "passed" });
    expect(byId.get("sum-fixed")!.inputTokens).toBeGreaterThan(0);
    expect(byId.get("sum-wrong")).toMatchObject({ resolved: false, failure: "tests_fail" });
    expect(byId.get("sum-wrong")!.reason).toContain("1 of 1 fail-to-pass not passing: adds two numbers (failed)");
    expect(byId.get("sum-wrong")!.tests?.passToPass).toEqual({ "adds zero": "passed" });
    expect(byId.get("sum-untouched")).toMatchObject({
      resolved: false,
      failure: "no_patch",
      reason: "the agent finished without changing a file",
      patch: "",
    });
    expect(byId.get("sum-conflict")).toMatchObject({ resolved: false, failure: "patch_does_not_apply" });
    expect(byId.get("sum-budget")).toMatchObject({ resolved: false, failure: "budget", stop: "limit", steps: 3 });
    for (const r of byId.values()) expect(r.wallMs).toBeGreaterThan(0);

    const report = await readFile(path.join(outDir, "report.md"), "utf8");
    expect(report).toContain("**Resolved: 1 of 5 scored (20.0%)**");
    expect(report).toContain("| tests_fail | 1 |");
    expect(report).toContain("| no_patch | 1 |");
    expect(report).toContain("| patch_does_not_apply | 1 |");
    expect(report).toContain("| budget | 1 |");
    expect(report).toMatch(/\| \[sum-fixed\]\(trajectories\/sum-fixed\.json\) \| javascript \| bug \| ✅ \|/);

    // The hidden tests were never shown to the model.
    expect(JSON.stringify(model.requests)).not.toContain("adds two numbers");
    const trajectory = JSON.parse(await readFile(path.join(outDir, "trajectories", "sum-fixed.json"), "utf8")) as {
      outcome: { status: string };
      entries: { type: string; round?: number }[];
      diff: string;
    };
    expect(trajectory.outcome.status).toBe("resolved");
    expect(trajectory.diff).toContain("+  return a + b;");
    expect(trajectory.entries.some((e) => e.type === "test" && e.round === -1)).toBe(true);
  });

  it("refuses to overwrite earlier results without --resume", async () => {
    const run = await runEvalCli([]);
    expect(run.code).toBe(2);
    expect(run.err.trim().split("\n")).toHaveLength(1);
    expect(run.err).toContain("already holds results: pass --resume");
  });

  it("with --resume runs nothing that already has a result, and only what is missing", async () => {
    const before = model.requests.length;
    const again = await runEvalCli(["--resume"]);
    expect(again.code).toBe(1);
    expect(again.out).toContain("Resolved 1 of 5 · 5 from an earlier run");
    expect(model.requests.length).toBe(before);

    // Drop two results, as if the run had been stopped before they ended.
    const kept = (await results()).filter((r) => r.id !== "sum-fixed" && r.id !== "sum-untouched");
    await writeFile(path.join(outDir, "results.jsonl"), kept.map((r) => `${JSON.stringify(r)}\n`).join(""));
    const resumed = await runEvalCli(["--resume"]);
    expect(resumed.out).toContain("Resolved 1 of 5 · 3 from an earlier run");
    const sent = model.requests.slice(before).map((r) => /\[task: ([\w-]+)\]/.exec(JSON.stringify(r.body))?.[1]);
    expect(new Set(sent)).toEqual(new Set(["sum-fixed", "sum-untouched"]));
    expect(sent.filter((id) => id === "sum-fixed")).toHaveLength(PLANS["sum-fixed"]!.length);
    expect((await results()).map((r) => r.id).sort()).toEqual([
      "sum-budget",
      "sum-conflict",
      "sum-fixed",
      "sum-untouched",
      "sum-wrong",
    ]);
  });
});
