// `issuesmith eval --attempts N`: the attempts of a task are chosen as the app
// chooses (its own test run, without the hidden tests), the hidden tests score
// the chosen one, and every attempt's cost counts.
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { evalCommand } from "../../src/cli/eval.ts";
import type { TaskResult } from "../../src/eval/run-task.ts";
import { createModelServer, type ModelRequest, type ModelServer, type ReplyTurn } from "../support/model-server.ts";
import { capture } from "./cli-io.ts";
import { writeTaskSet, type TaskSet } from "./fixtures.ts";

let model: ModelServer | undefined;
let set: TaskSet | undefined;
afterEach(async () => {
  await model?.close();
  if (set) await rm(set.dir, { recursive: true, force: true });
  model = undefined;
  set = undefined;
});

const edit = (newStr: string): ReplyTurn => ({
  toolCalls: [{ name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: newStr } }],
});
const finish: ReplyTurn = { toolCalls: [{ name: "finish", arguments: { summary: "Done." } }] };

/** Each attempt's answer by the number its task names ("attempt i of n"). */
function byAttempt(edits: Record<number, string>) {
  return (req: ModelRequest): ReplyTurn => {
    const attempt = Number(/attempt (\d+) of \d+/.exec(JSON.stringify(req.messages))?.[1]);
    const step = req.messages.filter((m) => m.role === "assistant").length;
    const to = edits[attempt];
    if (to === undefined) throw new Error(`no plan for attempt ${attempt}`);
    return step === 0 ? edit(to) : finish;
  };
}

async function runWith(edits: Record<number, string>, attempts: number) {
  model = await createModelServer({ turns: Array.from({ length: 4 * attempts }, () => byAttempt(edits)) });
  set = await writeTaskSet(["sum"]);
  const outDir = path.join(set.dir, "out");
  const run = await capture(
    (io) => evalCommand([set!.tasksFile, "--out", outDir, "--attempts", String(attempts)], io),
    {
      OPENAI_BASE_URL: model.url,
      OPENAI_API_KEY: "sk-test-eval-key-0123456789",
      AGENT_MODEL: "scripted-model",
      AGENT_WORK_DIR: tmpdir(),
      AGENT_MODEL_RETRIES: "0",
    },
  );
  const text = await readFile(path.join(outDir, "results.jsonl"), "utf8");
  const [result] = text
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as TaskResult);
  const report = await readFile(path.join(outDir, "report.md"), "utf8");
  return { run, result: result!, report };
}

describe("issuesmith eval --attempts", () => {
  it("scores the attempt the app's own tests choose, and counts every attempt's cost", async () => {
    // Attempt 1 breaks the visible test ("adds zero"); attempt 2 is the fix.
    const { run, result, report } = await runWith({ 1: "return a * b;", 2: "return a + b;" }, 2);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/Resolved 1 of 1 · 2 attempts per task · \$[\d.]+ in all, \$[\d.]+ per resolved task/);
    expect(result.resolved).toBe(true);
    expect(result.patch).toContain("+  return a + b;");
    expect(result.trajectory).toBe(path.join("trajectories", "sum-attempt-2.json"));
    expect(result.attempts?.map((a) => [a.appTestsPassed, a.resolved, a.diffLines])).toEqual([
      [false, false, 2],
      [true, true, 2],
    ]);
    expect(result.steps).toBe(4);
    expect(result.inputTokens).toBe(result.attempts!.reduce((n, a) => n + a.inputTokens, 0));
    expect(report).toContain("- Attempts: 2 per task");
    expect(report).toContain("resolved by any attempt (pass@2): 1 of 1");
    expect(report).toMatch(/per resolved task \(every attempt's cost counted\)/);
  });

  it("is only as good as the visible tests: a wrong fix they pass can be chosen, and pass@N shows the gap", async () => {
    // "return a;" passes the visible "adds zero" as the real fix does, with as small a diff, and fails the hidden test.
    const { run, result, report } = await runWith({ 1: "return a;", 2: "return a + b;" }, 2);
    expect(result.attempts?.map((a) => [a.appTestsPassed, a.resolved])).toEqual([
      [true, false],
      [true, true],
    ]);
    // A tie on tests, diff and steps goes to the earlier attempt: the wrong one.
    expect(result.resolved).toBe(false);
    expect(result.failure).toBe("tests_fail");
    expect(run.out).toMatch(/Resolved 0 of 1 · 2 attempts per task · \$[\d.]+ in all, — per resolved task/);
    expect(report).toContain("pass@2): 1 of 1");
  });

  it("refuses --attempts outside 1 to 5", async () => {
    set = await writeTaskSet(["sum"]);
    const run = await capture((io) => evalCommand([set!.tasksFile, "--attempts", "6"], io));
    expect(run.code).toBe(2);
    expect(run.err).toContain("`--attempts` takes a whole number from 1 to 5");
  });
});
