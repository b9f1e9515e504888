// A small JavaScript repository with a bug and a test that shows it, and
// the scripted model turns that fix it through the agent's own tools.
import type { ModelRequest, Turn } from "../support/model-server.ts";

export const BUGGY_REPO: Record<string, string> = {
  "README.md": "# widgets\n",
  "package.json":
    JSON.stringify(
      { name: "widgets", version: "1.0.0", private: true, type: "module", scripts: { test: "node --test" } },
      null,
      2,
    ) + "\n",
  "package-lock.json":
    JSON.stringify(
      {
        name: "widgets",
        version: "1.0.0",
        lockfileVersion: 3,
        requires: true,
        packages: { "": { name: "widgets", version: "1.0.0" } },
      },
      null,
      2,
    ) + "\n",
  "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
  "test/sum.test.js":
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { sum } from "../src/sum.js";\n\ntest("adds two numbers", () => {\n  assert.equal(sum(2, 3), 5);\n});\n',
};

export const FIX_TURNS: Turn[] = [
  { content: "Let me look at the code.", toolCalls: [{ name: "view", arguments: { path: "src/sum.js" } }] },
  { toolCalls: [{ name: "run_tests", arguments: {} }] },
  {
    toolCalls: [
      { name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: "return a + b;" } },
    ],
  },
  { toolCalls: [{ name: "run_tests", arguments: {} }] },
  {
    toolCalls: [
      {
        name: "finish",
        arguments: { summary: "`sum` subtracted instead of adding. It now returns `a + b`; the existing test passes." },
      },
    ],
  },
];

/** Which attempt a request belongs to: its task says "attempt i of n". */
function attemptOf(req: ModelRequest): number {
  const m = /attempt (\d+) of \d+/.exec(JSON.stringify(req.messages));
  if (!m) throw new Error("the task does not name its attempt");
  return Number(m[1]);
}

/** A script per attempt, played by position in that attempt's own conversation. */
export function perAttempt(scripts: Record<number, Turn[]>, requests: number): Turn[] {
  const turn: Turn = (req) => {
    const steps = req.messages.filter((m) => m.role === "assistant").length;
    const next = scripts[attemptOf(req)]?.[steps];
    if (!next) throw new Error(`no turn for attempt ${attemptOf(req)} step ${steps}`);
    return typeof next === "function" ? next(req) : next;
  };
  return Array.from({ length: requests }, () => turn);
}
