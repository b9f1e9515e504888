// A job's trajectory as the app records it: the task, phases, model calls,
// tool calls (one failing, one with hostile markup), a test run, the diff and
// the outcome — seeded with a known secret and a token-shaped string that
// must never reach the page.
import type { TrajectoryEvent } from "../../src/run/trajectory.ts";

export const KNOWN_SECRET = "hunter2-webhook-secret-value";
/** Shaped like a GitHub installation token; the redactor hides it by shape alone. */
export const TOKEN_LIKE = "ghs_abcdefghijklmnopqrstuvwxyz0123456789";
export const HOSTILE = `<script>document.title="pwned"</script><img src=x onerror=alert(1)>`;

export const DIFF = `diff --git a/src/sum.js b/src/sum.js
index 1111111..2222222 100644
--- a/src/sum.js
+++ b/src/sum.js
@@ -1,3 +1,3 @@
 export function sum(a, b) {
-  return a - b;
+  return a + b;
 }
`;

export function jobEvents(): TrajectoryEvent[] {
  const testRun = {
    command: "npm test",
    passed: true,
    exitCode: 0,
    killed: undefined,
    summary: "1 passed, 0 failed",
    outputTail: `# tests 1\n# pass 1\n# token ${TOKEN_LIKE}`,
    durationMs: 840,
  };
  return [
    {
      type: "task",
      source: "acme/widgets#7",
      title: "sum() returns the wrong result",
      body: `sum(2, 3) gives -1.\n\nOur CI key is ${KNOWN_SECRET} ${HOSTILE}`,
    },
    { type: "phase", phase: "clone" },
    { type: "phase", phase: "edit" },
    {
      type: "model",
      step: 1,
      model: "scripted-model",
      usage: { inputTokens: 1200, outputTokens: 40 },
      costUsd: 0.0012,
      latencyMs: 420,
      content: "Let me look at the code.",
      toolCalls: [{ id: "c1", name: "view", arguments: '{"path":"src/sum.js"}' }],
    },
    {
      type: "tool",
      step: 1,
      name: "view",
      arguments: '{"path":"src/sum.js"}',
      output: "src/sum.js (3 lines)\n1\texport function sum(a, b) {\n2\t  return a - b;\n3\t}",
      isError: false,
      durationMs: 3,
    },
    {
      type: "model",
      step: 2,
      model: "scripted-model",
      usage: { inputTokens: 1400, outputTokens: 60 },
      costUsd: 0.0014,
      latencyMs: 380,
      content: HOSTILE,
      toolCalls: [{ id: "c2", name: "shell", arguments: JSON.stringify({ command: `echo ${KNOWN_SECRET}` }) }],
    },
    {
      type: "tool",
      step: 2,
      name: "shell",
      arguments: JSON.stringify({ command: `echo ${KNOWN_SECRET}` }),
      output: `${KNOWN_SECRET}\n${TOKEN_LIKE}\n${HOSTILE}`,
      isError: false,
      durationMs: 25,
    },
    {
      type: "model",
      step: 3,
      model: "scripted-model",
      usage: { inputTokens: 1500, outputTokens: 50 },
      costUsd: 0.0015,
      latencyMs: 300,
      content: "",
      toolCalls: [{ id: "c3", name: "edit", arguments: "{}" }],
    },
    {
      type: "tool",
      step: 3,
      name: "edit",
      arguments: '{"path":"src/sum.js","old_str":"return a * b;","new_str":"return a + b;"}',
      output: "No match for old_str in `src/sum.js`.\nThe closest line is 2: `return a - b;`",
      isError: true,
      durationMs: 4,
    },
    {
      type: "model",
      step: 4,
      model: "scripted-model",
      usage: { inputTokens: 1600, outputTokens: 50 },
      costUsd: 0.0016,
      latencyMs: 310,
      content: "",
      toolCalls: [{ id: "c4", name: "edit", arguments: "{}" }],
    },
    {
      type: "tool",
      step: 4,
      name: "edit",
      arguments: '{"path":"src/sum.js","old_str":"return a - b;","new_str":"return a + b;"}',
      output: "Edited `src/sum.js`: 1 line replaced.",
      isError: false,
      durationMs: 5,
    },
    {
      type: "model",
      step: 5,
      model: "scripted-model",
      usage: { inputTokens: 1700, outputTokens: 30 },
      costUsd: 0.0017,
      latencyMs: 200,
      content: "",
      toolCalls: [{ id: "c5", name: "finish", arguments: "{}" }],
    },
    {
      type: "tool",
      step: 5,
      name: "finish",
      arguments: '{"summary":"sum subtracted; it adds now."}',
      output: "Finished. The app will now run the tests and open the pull request.",
      isError: false,
      durationMs: 1,
    },
    { type: "phase", phase: "test" },
    { type: "test", round: 0, run: testRun },
    { type: "phase", phase: "push" },
    { type: "diff", diff: DIFF },
    { type: "phase", phase: "open-pr" },
    { type: "outcome", status: "ok", summary: "Opened #8 — tests pass" },
  ];
}
