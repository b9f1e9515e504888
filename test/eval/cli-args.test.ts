// Bad flags and bad task files: one clear line each, exit 2, before any work.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalCommand } from "../../src/cli/eval.ts";
import { loadTasks } from "../../src/eval/task.ts";
import { capture } from "./cli-io.ts";
import { writeTaskSet, type TaskSet } from "./fixtures.ts";

let set: TaskSet;
let dir: string;

beforeAll(async () => {
  set = await writeTaskSet(["sum-fixed"]);
  dir = await mkdtemp(path.join(tmpdir(), "issuesmith-eval-args-"));
});

afterAll(async () => {
  await rm(set.dir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => capture((io) => evalCommand(args, io), env);

async function tasksFile(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, lines.join("\n"));
  return file;
}

describe("issuesmith eval arguments", () => {
  it("says what is wrong with a flag in one line, exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [[], /a tasks file is needed/],
      [[set.tasksFile, set.tasksFile], /one tasks file at a time/],
      [[set.tasksFile, "--concurrency", "0"], /--concurrency must be a whole number from 1 to 64 \(got 0\)/],
      [[set.tasksFile, "--concurrency", "two"], /--concurrency must be a whole number/],
      [[set.tasksFile, "--max-steps=0"], /--max-steps must be a positive whole number \(got 0\)/],
      [[set.tasksFile, "--sandbox", "docker"], /--sandbox must be auto, bwrap or none/],
      [[set.tasksFile, "--frobnicate"], /Unknown option '--frobnicate'/],
      [[set.tasksFile, "--task", "nope"], /no task nope in /],
      [[path.join(dir, "missing.jsonl")], /cannot read the tasks file .*missing\.jsonl: no such file/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split("\n").length, r.err).toBeLessThanOrEqual(2);
      expect(r.out).toBe("");
    }
  });

  it("lists every problem of a tasks file, one line each, naming the line", async () => {
    const file = await tasksFile("bad.jsonl", [
      "# a comment",
      "{not json",
      JSON.stringify({ id: "a", repo: "r", test_command: "t", test_patch: "p" }),
      JSON.stringify({ id: "b c", repo: "r", problem_statement: "x", test_command: "t", test_patch: "p" }),
      JSON.stringify({ id: "d", repo: "r", problem_statement: "x", test_command: "t", test_patch: "p", colour: "red" }),
      JSON.stringify({
        id: "e",
        repo: "r",
        problem_statement: "x",
        test_command: "t",
        test_patch_file: "nowhere.patch",
      }),
      JSON.stringify({ id: "f", repo: "r", problem_statement: "x", test_command: "t", test_patch: "p" }),
      JSON.stringify({ id: "f", repo: "r", problem_statement: "x", test_command: "t", test_patch: "p" }),
    ]);
    const r = await run([file]);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split("\n");
    expect(lines[0]).toBe(`issuesmith eval: 6 problems in ${file}`);
    expect(lines.slice(1).map((l) => l.trim())).toEqual([
      expect.stringMatching(/^bad\.jsonl line 2: not JSON/),
      "bad.jsonl line 3: give problem_statement or problem_statement_file (one of them)",
      "bad.jsonl line 4: id: letters, digits, . _ - only (it names files)",
      expect.stringMatching(/^bad\.jsonl line 5: Unrecognized key: "colour"/),
      "bad.jsonl line 6: test_patch_file: cannot read nowhere.patch",
      "bad.jsonl line 8: the id f is used twice",
    ]);
  });

  it("needs a model unless --reference, and a reference patch for --reference", async () => {
    const noModel = await run([set.tasksFile, "--out", path.join(dir, "o1")], { AGENT_WORK_DIR: tmpdir() });
    expect(noModel.code).toBe(3);
    expect(noModel.err).toContain("no model configured");
    const file = await tasksFile("noref.jsonl", [
      JSON.stringify({ id: "a", repo: "r", problem_statement: "x", test_command: "t", test_patch: "p" }),
    ]);
    const noRef = await run([file, "--reference"]);
    expect(noRef.code).toBe(2);
    expect(noRef.err).toBe("issuesmith eval: --reference needs a reference_patch for every task; missing: a\n");
  });

  it("resolves a task's files and repository relative to the tasks file", async () => {
    const [task] = await loadTasks(set.tasksFile);
    expect(task).toMatchObject({
      id: "sum-fixed",
      repo: path.join(set.dir, "repo"),
      failToPass: ["adds two numbers"],
      provideNodeModules: [],
    });
    expect(task!.testPatch).toContain('+test("adds two numbers"');
    expect(task!.referencePatch).toContain("+  return a + b;");
  });
});
