// A small task set for eval tests: one JavaScript repository (a plain
// directory, made a git repository by the runner) and five tasks on it
// whose scripted answers end in every verdict: resolved, tests fail, no
// patch, hidden test patch does not apply, budget.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ModelRequest, ReplyTurn } from "../support/model-server.ts";

export const REPO_FILES: Record<string, string> = {
  "package.json": JSON.stringify(
    { name: "calc", private: true, type: "module", scripts: { test: "node --test test/" } },
    null,
    2,
  ),
  "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
  "test/sum.test.js":
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { sum } from "../src/sum.js";\n\ntest("adds zero", () => {\n  assert.equal(sum(2, 0), 2);\n});\n',
};

/** The hidden tests: one more test in the existing file. */
export const TEST_PATCH = `diff --git a/test/sum.test.js b/test/sum.test.js
--- a/test/sum.test.js
+++ b/test/sum.test.js
@@ -5,3 +5,7 @@ import { sum } from "../src/sum.js";
 test("adds zero", () => {
   assert.equal(sum(2, 0), 2);
 });
+
+test("adds two numbers", () => {
+  assert.equal(sum(2, 3), 5);
+});
`;

export const FIX_PATCH = `diff --git a/src/sum.js b/src/sum.js
--- a/src/sum.js
+++ b/src/sum.js
@@ -1,3 +1,3 @@
 export function sum(a, b) {
-  return a - b;
+  return a + b;
 }
`;

type Plan = ReplyTurn[];

const edit = (newStr: string): ReplyTurn => ({
  toolCalls: [{ name: "edit", arguments: { path: "src/sum.js", old_str: "return a - b;", new_str: newStr } }],
});
const finish = (summary = "Done."): ReplyTurn => ({ toolCalls: [{ name: "finish", arguments: { summary } }] });

/** What the scripted model does on each task, step by step. */
export const PLANS: Record<string, Plan> = {
  "sum-fixed": [edit("return a + b;"), finish("sum subtracted; it adds now.")],
  "sum-wrong": [edit("return a;"), finish("Fixed, I think.")],
  "sum-untouched": [finish("Nothing to change.")],
  // Rewrites the very lines the hidden test patch expects: the patch no longer applies.
  "sum-conflict": [
    edit("return a + b;"),
    {
      toolCalls: [
        {
          name: "create",
          arguments: { path: "test/sum.test.js", content: 'import { test } from "node:test";\n', overwrite: true },
        },
      ],
    },
    finish(),
  ],
  // Never finishes: the step budget stops it.
  "sum-budget": Array.from({ length: 20 }, () => ({
    toolCalls: [{ name: "view", arguments: { path: "src/sum.js" } }],
  })),
};

export const TASK_IDS = Object.keys(PLANS);

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p: { text?: string }) => p.text ?? "").join("");
  return "";
}

/** One turn that answers any task's request by its plan (tasks are told apart by the marker in their problem statement). */
export const planTurn = (req: ModelRequest): ReplyTurn => {
  const text = req.messages.map((m) => textOf(m.content)).join("\n");
  const id = /\[task: ([\w-]+)\]/.exec(text)?.[1] ?? "";
  const step = req.messages.filter((m) => m.role === "assistant").length;
  const plan = PLANS[id];
  if (!plan) throw new Error(`no plan for task ${JSON.stringify(id)}`);
  return plan[step] ?? finish();
};

export interface TaskSet {
  dir: string;
  tasksFile: string;
}

/** Writes the repository and a tasks.jsonl for `ids` into a fresh temp dir. */
export async function writeTaskSet(ids: string[] = TASK_IDS, extra: Record<string, unknown> = {}): Promise<TaskSet> {
  const dir = await mkdtemp(path.join(tmpdir(), "issuesmith-eval-test-"));
  for (const [rel, content] of Object.entries(REPO_FILES)) {
    await mkdir(path.dirname(path.join(dir, "repo", rel)), { recursive: true });
    await writeFile(path.join(dir, "repo", rel), content);
  }
  await writeFile(path.join(dir, "test.patch"), TEST_PATCH);
  await writeFile(path.join(dir, "fix.patch"), FIX_PATCH);
  const lines = ids.map((id) =>
    JSON.stringify({
      id,
      repo: "repo",
      problem_statement: `sum(2, 3) returns -1 instead of 5. [task: ${id}]`,
      test_command: "node --test test/",
      test_patch_file: "test.patch",
      reference_patch_file: "fix.patch",
      fail_to_pass: ["adds two numbers"],
      pass_to_pass: ["adds zero"],
      language: "javascript",
      kind: "bug",
      ...extra,
    }),
  );
  const tasksFile = path.join(dir, "tasks.jsonl");
  await writeFile(tasksFile, `${lines.join("\n")}\n`);
  return { dir, tasksFile };
}
