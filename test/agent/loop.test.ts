import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import { loadEnv } from "../../src/config/env.ts";
import { repoConfigSchema } from "../../src/config/repo-config.ts";
import { pickSecrets } from "../../src/run/solve-base.ts";
import { Redactor } from "../../src/security/redact.ts";
import type { Turn } from "../support/model-server.ts";
import { runSolve, SUM_REPO, type Run } from "./harness.ts";

let run: Run | undefined;
afterEach(async () => {
  await run?.repo.cleanup();
  run = undefined;
});

const edit = (from: string, to: string): Turn => ({
  toolCalls: [{ name: "edit", arguments: { path: "src/sum.js", old_str: from, new_str: to } }],
});
const finish = (summary = "done"): Turn => ({ toolCalls: [{ name: "finish", arguments: { summary } }] });
const view: Turn = { toolCalls: [{ name: "view", arguments: { path: "src/sum.js" } }] };

describe("the agent loop", () => {
  it("fixes the bug after seeing the app's failing test run in a second round", async () => {
    run = await runSolve({
      files: SUM_REPO,
      turns: [
        edit("return a - b;", "return a * b;"),
        finish("first try"),
        (req) => {
          // The failure comes back with the command and its output.
          expect(req.lastMessageText).toContain("round 1 of 2");
          expect(req.lastMessageText).toContain("node --test");
          return edit("return a * b;", "return a + b;");
        },
        finish("second try"),
      ],
      config: { test: "node --test" },
    });
    expect(run.result.stop).toBe("finish");
    expect(run.result.summary).toBe("second try");
    expect(run.result.tests?.passed).toBe(true);
    expect(run.result.testRounds).toBe(1);
    expect(run.events.filter((e) => e.type === "test").map((e) => (e.type === "test" ? e.run.passed : null))).toEqual([
      false,
      true,
    ]);
  });

  it("recovers from a malformed tool call with a corrective message", async () => {
    run = await runSolve({
      files: SUM_REPO,
      turns: [
        { toolCalls: [{ name: "edit", arguments: "{not json" }] },
        (req) => {
          expect(req.lastToolResult).toMatch(/not valid JSON|could not be read|JSON/i);
          return edit("return a - b;", "return a + b;");
        },
        finish(),
      ],
    });
    expect(run.result.stop).toBe("finish");
    expect(run.events.filter((e) => e.type === "malformed")).toHaveLength(1);
    expect(await readFile(run.repo.file("src/sum.js"), "utf8")).toContain("a + b");
  });

  it("fails the job after three malformed replies in a row, naming the problem", async () => {
    run = await runSolve({
      files: SUM_REPO,
      turns: [
        { content: "I think the fix is to add." },
        { toolCalls: [{ name: "teleport", arguments: {} }] },
        { toolCalls: [{ name: "edit", arguments: { path: "src/sum.js" } }] },
      ],
    });
    expect(run.result.stop).toBe("model_error");
    expect(run.result.reason).toMatch(/3 times in a row/);
    expect(run.model.requests.filter((r) => r.path.endsWith("/chat/completions"))).toHaveLength(3);
  });

  it("works with an endpoint that has no native tool calls, through the text protocol", async () => {
    const fenced = (name: string, args: object): Turn => ({
      content: `Doing it.\n\`\`\`tool\n${JSON.stringify({ name, arguments: args })}\n\`\`\``,
    });
    run = await runSolve({
      files: SUM_REPO,
      noNativeTools: true,
      turns: [
        fenced("view", { path: "src/sum.js" }),
        (req) => {
          expect(req.body.tools).toBeUndefined();
          expect(req.lastMessageText).toContain("Result of `view`");
          return fenced("edit", { path: "src/sum.js", old_str: "return a - b;", new_str: "return a + b;" });
        },
        fenced("finish", { summary: "fixed via text protocol" }),
      ],
      config: { test: "node --test" },
    });
    expect(run.result.stop).toBe("finish");
    expect(run.result.tests?.passed).toBe(true);
    // The first request tried native tools and was refused; the rest were text.
    expect(run.model.requests[0]?.outcome).toBe("refused-tools");
  });

  it("retries a rate-limited call, honouring retry-after", async () => {
    const started = Date.now();
    run = await runSolve({
      files: SUM_REPO,
      turns: [{ status: 429, retryAfter: 1 }, view, finish()],
      config: { test: "true" },
    });
    expect(run.result.stop).toBe("finish");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(run.model.requests[0]?.status).toBe(429);
  });
});

describe("budgets are hard caps, and work is kept", () => {
  it("stops at the step limit with the edit kept in the workspace", async () => {
    run = await runSolve({
      files: SUM_REPO,
      config: { budget: { steps: 2 } },
      turns: [edit("return a - b;", "return a + b;"), view, view],
    });
    expect(run.result.stop).toBe("limit");
    expect(run.result.limit?.limit).toBe("steps");
    expect(run.result.reason).toContain("steps (2 of 2)");
    expect(run.result.usage.steps).toBe(2);
    expect(await readFile(run.repo.file("src/sum.js"), "utf8")).toContain("a + b");
  });

  it("stops before a call that could pass the token budget", async () => {
    run = await runSolve({
      files: SUM_REPO,
      config: { budget: { tokens: 3_000 } },
      maxOutputTokens: 1_000,
      turns: [view, view, view, view],
    });
    expect(run.result.stop).toBe("limit");
    expect(run.result.limit?.limit).toBe("tokens");
    expect(run.result.usage.inputTokens + run.result.usage.outputTokens).toBeLessThanOrEqual(3_000);
  });

  it("stops before a call that could pass the cost budget", async () => {
    run = await runSolve({
      files: SUM_REPO,
      model: "pricey",
      prices: { pricey: { input: 1_000, output: 1_000 } },
      config: { budget: { cost_usd: 1 } },
      turns: [view, view, view],
    });
    expect(run.result.stop).toBe("limit");
    expect(run.result.limit?.limit).toBe("cost");
    expect(run.result.usage.costUsd).toBeLessThanOrEqual(1);
  });

  it("stops at the wall clock, killing a running command, with the edit kept", async () => {
    const started = Date.now();
    run = await runSolve({
      files: SUM_REPO,
      rawBudget: { wall_clock_minutes: 0.05 },
      turns: [
        edit("return a - b;", "return a + b;"),
        { toolCalls: [{ name: "shell", arguments: { command: "sleep 60" } }] },
        view,
      ],
    });
    expect(run.result.stop).toBe("limit");
    expect(run.result.limit?.limit).toBe("wall_clock");
    // Killed at about 3 s, not after the sleep.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await readFile(run.repo.file("src/sum.js"), "utf8")).toContain("a + b");
  });

  it("keeps every request under the model's window by condensing old tool output", async () => {
    const big = "x".repeat(6_000);
    const files = {
      ...SUM_REPO,
      "big.txt": Array.from({ length: 300 }, (_, i) => `${i} ${big.slice(0, 60)}`).join("\n"),
    };
    const viewBig: Turn = { toolCalls: [{ name: "view", arguments: { path: "big.txt" } }] };
    run = await runSolve({
      files,
      contextWindow: 8_000,
      maxOutputTokens: 500,
      config: { test: "true", budget: { steps: 12 } },
      turns: [viewBig, viewBig, viewBig, viewBig, viewBig, viewBig, finish()],
    });
    expect(run.result.stop).toBe("finish");
    // Uncondensed, six views of this file would be ~58k characters (~14k tokens): more than the window.
    const toolOutput = run.events
      .filter((e) => e.type === "tool")
      .reduce((n, e) => n + (e.type === "tool" ? e.output.length : 0), 0);
    expect(toolOutput / 4).toBeGreaterThan(8_000);
    const sizes = run.model.requests.filter((r) => r.body).map((r) => JSON.stringify(r.body!.messages).length / 4);
    for (const s of sizes) expect(s).toBeLessThan(8_000 - 500);
    expect(JSON.stringify(run.model.requests.at(-1)?.body)).toMatch(/condensed/);
  });

  it("condenses and tries again when the endpoint says the history passes its window", async () => {
    const big = "x".repeat(6_000);
    const files = {
      ...SUM_REPO,
      "big.txt": Array.from({ length: 200 }, (_, i) => `${i} ${big.slice(0, 60)}`).join("\n"),
    };
    const viewBig: Turn = { toolCalls: [{ name: "view", arguments: { path: "big.txt" } }] };
    // The operator configured a window far larger than the endpoint's real one.
    run = await runSolve({
      files,
      contextWindow: 100_000,
      maxOutputTokens: 500,
      server: { contextWindow: 9_000 },
      config: { test: "true", budget: { steps: 12 } },
      turns: [viewBig, viewBig, viewBig, finish()],
    });
    expect(run.result.stop).toBe("finish");
    const outcomes = run.model.requests.map((r) => r.outcome);
    expect(outcomes).toContain("context-length");
    expect(outcomes.filter((o) => o === "answered")).toHaveLength(4);
    expect(JSON.stringify(run.model.requests.at(-1)?.body)).toMatch(/condensed/);
  });
});

describe("opt-in secrets", () => {
  const SECRET = "npm_supersecretvalue123";
  const secretTest = (name: string) =>
    `import { test } from "node:test";\nimport assert from "node:assert/strict";\ntest("${name}", () => { console.log("token is", process.env.NPM_TOKEN, Buffer.from(process.env.NPM_TOKEN ?? "").toString("hex")); assert.equal(process.env.NPM_TOKEN, "${SECRET}"); });\n`;

  it("never reach the agent's run_tests; the final run has them, and neither the model nor the report sees its output", async () => {
    const files = {
      "package.json": JSON.stringify({ name: "r", type: "module", scripts: { test: "node --test" } }),
      "test/secret.test.js": secretTest("has the token"),
    };
    run = await runSolve({
      files,
      turns: [{ toolCalls: [{ name: "run_tests", arguments: {} }] }, finish()],
      config: { budget: { test_rounds: 0 } },
      trustedSecrets: { NPM_TOKEN: SECRET },
      redactor: new Redactor([SECRET]),
    });
    // The agent's own run had no token: its test failed, and printed nothing of it.
    const seen = JSON.stringify(run.model.requests);
    expect(seen).toContain("FAILED (exit code 1): 1 failed");
    expect(seen).not.toContain(SECRET);
    // The final run had it: the test passed there.
    expect(run.result.tests?.passed).toBe(true);
    expect(run.result.tests?.note).toMatch(/had the opted-in secrets \(`NPM_TOKEN`\); its output is not shown/);
    expect(run.result.tests?.outputTail).toContain("# fail 1");
    expect(JSON.stringify(run.events)).not.toContain(Buffer.from(SECRET).toString("hex"));
  });

  it("are withheld from the final run when the change touches the test machinery, and the report says which file", async () => {
    const files = {
      "package.json": JSON.stringify({ name: "r", type: "module", scripts: { test: "node --test" } }),
      "test/secret.test.js": secretTest("has the token"),
    };
    run = await runSolve({
      files,
      turns: [
        {
          toolCalls: [
            {
              name: "edit",
              arguments: {
                path: "package.json",
                old_str: '"node --test"',
                new_str: '"echo $NPM_TOKEN | rev; node --test"',
              },
            },
          ],
        },
        finish(),
      ],
      config: { budget: { test_rounds: 0 } },
      trustedSecrets: { NPM_TOKEN: SECRET },
      redactor: new Redactor([SECRET]),
    });
    expect(run.result.tests?.passed).toBe(false);
    expect(run.result.tests?.note).toMatch(
      /did not get the opted-in secrets \(`NPM_TOKEN`\): the change touches the test machinery \(`package.json`\)/,
    );
  });

  it("leave no trace in the workspace: what the run with secrets wrote is undone before anything is committed", async () => {
    const files = {
      "package.json": JSON.stringify({ name: "r", type: "module", scripts: { test: "node --test" } }),
      "src/util.js": "export const x = 1;\n",
      "test/util.test.js":
        'import { test } from "node:test";\nimport { x } from "../src/util.js";\ntest("x", () => {});\n',
    };
    run = await runSolve({
      files,
      turns: [
        // The agent's code writes the token into the tree when the tests import it.
        {
          toolCalls: [
            {
              name: "edit",
              arguments: {
                path: "src/util.js",
                old_str: "export const x = 1;",
                new_str:
                  'import { writeFileSync } from "node:fs";\nif (process.env.NPM_TOKEN) { writeFileSync("loot.txt", [...process.env.NPM_TOKEN].reverse().join("")); writeFileSync("src/util.js", "// " + process.env.NPM_TOKEN); }\nexport const x = 1;',
              },
            },
          ],
        },
        finish(),
      ],
      config: { budget: { test_rounds: 0 } },
      trustedSecrets: { NPM_TOKEN: SECRET },
      redactor: new Redactor([SECRET]),
    });
    expect(run.result.tests?.passed).toBe(true);
    await expect(readFile(run.repo.file("loot.txt"), "utf8")).rejects.toThrow();
    expect(await readFile(run.repo.file("src/util.js"), "utf8")).toContain("export const x = 1;");
  });

  it("are picked by name from what the operator provides", () => {
    const config = repoConfigSchema.parse({ secrets: ["NPM_TOKEN", "MISSING"] });
    expect(pickSecrets(config, { NPM_TOKEN: "x", OTHER: "y" })).toEqual({ NPM_TOKEN: "x" });
    expect(pickSecrets(repoConfigSchema.parse({}), { NPM_TOKEN: "x" })).toBeUndefined();
    expect(loadEnv({ AGENT_SECRET_NPM_TOKEN: "v", AGENT_SECRET_: "ignored" }).repoSecrets).toEqual({ NPM_TOKEN: "v" });
  });
});
