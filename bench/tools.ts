// Tool latency on a generated 10,000-file repository, through the registry
// (argument validation, redaction, truncation included) with DirectRunner:
// `view` of a window of a mid-size file, `search` by content and by file
// name, `edit` of a TS file including its syntax check. Target: p50 < 50 ms.
// Also: the same content search run through the sandbox runner, the cost the
// search tool avoids by spawning ripgrep directly (see src/tools/ripgrep.ts).
// Run alone with `node bench/tools.ts`.
import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_REPO_CONFIG } from "../src/config/repo-config.ts";
import { Redactor } from "../src/security/redact.ts";
import type { ToolContext } from "../src/tools/define.ts";
import { createRegistry, defaultTools } from "../src/tools/registry.ts";
import { createRunner, DirectRunner } from "../src/workspace/sandbox.ts";
import type { Workspace } from "../src/workspace/types.ts";

const RUNS = 100;
/** Searches read the whole tree each time: fewer runs keep the bench under a minute or two. */
const SEARCH_RUNS = 25;
const WARMUP = 3;
const PACKAGES = ["core", "api", "web", "cli", "shared", "auth", "billing", "search", "jobs", "admin"];
const FEATURES = 20;
const FILES_PER_FEATURE = 40; // 10 × 20 × 40 = 8,000 source files

export async function benchTools(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const root = await mkdtemp(path.join(tmpdir(), "issuesmith-bench-tools-"));
  const workspace: Workspace = { root, repoDir: path.join(root, "repo"), homeDir: path.join(root, "home") };
  await mkdir(workspace.homeDir, { recursive: true });
  try {
    let started = performance.now();
    const files = await generateRepo(workspace.repoDir);
    const generateMs = performance.now() - started;
    started = performance.now();
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], {
        cwd: workspace.repoDir,
        stdio: "pipe",
      });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "generated");
    const gitMs = performance.now() - started;

    const ctx: ToolContext = {
      workspace,
      runner: new DirectRunner(),
      config: DEFAULT_REPO_CONFIG,
      testCommand: undefined,
      redactor: new Redactor(["bench-secret-value"]),
      signal: new AbortController().signal,
    };
    const registry = createRegistry(defaultTools());
    const call = async (name: string, args: Record<string, unknown>) => {
      const out = await registry.call({ name, arguments: JSON.stringify(args) }, ctx);
      if (out.isError) throw new Error(`${name} failed in the bench: ${out.output.slice(0, 500)}`);
      return out.output;
    };

    const figures: Record<string, number | string> = {
      files: files.toLocaleString("en-US"),
      generate_ms: Math.round(generateMs),
      git_commit_ms: Math.round(gitMs),
      runs: `${RUNS} (view, edit), ${SEARCH_RUNS} (search)`,
    };
    const record = (name: string, times: number[]) => {
      figures[`${name}_p50_ms`] = round(percentile(times, 50));
      figures[`${name}_p95_ms`] = round(percentile(times, 95));
    };

    record(
      "view_window",
      await measure(() => call("view", { path: "packages/core/src/engine/scheduler.ts", start: 600 })),
    );
    record("view_dir", await measure(() => call("view", { path: "packages/api" })));
    // The first edit of a job: the registry started loading the TypeScript
    // compiler in the background when it was made, a few tool calls ago.
    const t0 = performance.now();
    await call("edit", {
      path: "packages/api/src/feature2/file7.ts",
      old_str: "const RETRY_LIMIT = 3;",
      new_str: "const RETRY_LIMIT = 5;",
    });
    figures.edit_ts_first_call_ms = round(performance.now() - t0);
    let flip = false;
    record(
      "edit_ts",
      await measure(() => {
        flip = !flip;
        const [from, to] = flip ? ["RETRY_LIMIT = 3;", "RETRY_LIMIT = 4;"] : ["RETRY_LIMIT = 4;", "RETRY_LIMIT = 3;"];
        return call("edit", {
          path: "packages/api/src/feature3/file7.ts",
          old_str: `const ${from}`,
          new_str: `const ${to}`,
        });
      }),
    );

    // Searches read the whole tree each time, so their figures follow the
    // machine's file I/O. Interleaved with them, for comparison under the same
    // load: ripgrep alone (its output read and dropped, not sent to /dev/null,
    // where rg stops at the first match), and ripgrep through the sandbox
    // runner (the cost the search tool avoids by spawning rg directly).
    const sandbox = await createRunner("auto", { warn: () => {}, info: () => {} });
    figures.sandbox_kind = sandbox.kind;
    const rgArgs = (pattern: string) => [
      "--no-config",
      "--line-number",
      "--no-heading",
      "--with-filename",
      "--null",
      "--color=never",
      "--hidden",
      "--glob",
      "!.git",
      "-e",
      pattern,
      "--",
      ".",
    ];
    const viaRunner = `rg ${rgArgs("RETRY_LIMIT = \\d")
      .map((a) => `'${a}'`)
      .join(" ")} | wc -l`;
    const searches: Record<string, () => Promise<unknown>> = {
      search_content: () => call("search", { pattern: "handle\\w+Request\\(" }),
      rg_alone_content: () => drain("rg", rgArgs("handle\\w+Request\\("), workspace.repoDir),
      search_content_rare: () => call("search", { pattern: "RETRY_LIMIT = \\d" }),
      rg_alone_content_rare: () => drain("rg", rgArgs("RETRY_LIMIT = \\d"), workspace.repoDir),
      rg_via_runner_content_rare: async () => {
        const r = await sandbox.run({ command: viaRunner, workspace, timeoutMs: 30_000, network: false });
        if (r.exitCode !== 0) throw new Error(`rg in the runner failed: ${r.output}`);
      },
      search_files_glob: () => call("search", { pattern: "*scheduler*", mode: "files" }),
      search_files_name: () => call("search", { pattern: "feature7/file1", mode: "files" }),
      rg_alone_files: () =>
        drain("rg", ["--no-config", "--files", "--hidden", "--glob", "!.git", "--", "."], workspace.repoDir),
    };
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(searches).map((k) => [k, []]));
    for (let i = 0; i < WARMUP + SEARCH_RUNS; i++) {
      for (const [name, fn] of Object.entries(searches)) {
        const t = performance.now();
        await fn();
        if (i >= WARMUP) times[name]!.push(performance.now() - t);
      }
    }
    for (const [name, list] of Object.entries(times)) record(name, list);
    return { name: "tools", figures };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function measure(fn: () => Promise<unknown>, runs = RUNS): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times;
}

/** Run a program and read its whole output, discarding it. */
function drain(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ["ignore", "pipe", "ignore"] });
    child.stdout.on("data", () => {});
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A deterministic pseudo-random generator, so every run benches the same repository. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const VERBS = ["create", "update", "delete", "list", "fetch", "sync", "merge", "validate", "render", "export"];
const NOUNS = ["User", "Order", "Invoice", "Session", "Report", "Project", "Token", "Comment", "Payment", "Webhook"];

function tsModule(rand: () => number, pkg: string, feature: number, index: number, extraLines = 0): string {
  const out = [
    `// ${pkg}/feature${feature}/file${index}: generated for the tools benchmark.`,
    `import { logger } from "../../shared/logger";`,
    "",
  ];
  if (index === 7) out.push("const RETRY_LIMIT = 3;", "");
  const functions = 3 + Math.floor(rand() * 8);
  for (let f = 0; f < functions; f++) {
    const name = `${VERBS[Math.floor(rand() * VERBS.length)]}${NOUNS[Math.floor(rand() * NOUNS.length)]}${f}`;
    out.push(
      `export async function handle${name[0]!.toUpperCase()}${name.slice(1)}Request(input: { id: string; limit?: number }): Promise<string[]> {`,
    );
    const body = 4 + Math.floor(rand() * 20);
    for (let l = 0; l < body; l++)
      out.push(`  const v${l} = input.id.length * ${l} + ${Math.floor(rand() * 1000)}; // step ${l}`);
    out.push(`  logger.debug("${name}", input);`, `  return [input.id, String(v0)];`, "}", "");
  }
  for (let l = 0; l < extraLines; l++) out.push(`export const constant${l} = ${Math.floor(rand() * 1e6)};`);
  return out.join("\n");
}

async function put(repoDir: string, rel: string, content: string): Promise<void> {
  const abs = path.join(repoDir, rel);
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, content);
}

/** 10,000 tracked files in nested packages, a few large files, and an ignored node_modules. */
export async function generateRepo(repoDir: string): Promise<number> {
  const rand = prng(42);
  let count = 0;
  const add = async (rel: string, content: string) => {
    await put(repoDir, rel, content);
    count++;
  };
  await add(".gitignore", "node_modules/\n*.log\n");
  await add(
    "package.json",
    JSON.stringify(
      { name: "bench-monorepo", private: true, workspaces: PACKAGES.map((p) => `packages/${p}`) },
      null,
      2,
    ),
  );
  for (const pkg of PACKAGES) {
    await add(`packages/${pkg}/package.json`, JSON.stringify({ name: `@bench/${pkg}`, version: "1.0.0" }, null, 2));
    for (let f = 0; f < FEATURES; f++) {
      for (let i = 0; i < FILES_PER_FEATURE; i++)
        await add(`packages/${pkg}/src/feature${f}/file${i}.ts`, tsModule(rand, pkg, f, i));
    }
    for (let t = 0; t < 100; t++)
      await add(
        `packages/${pkg}/test/case${t}.test.ts`,
        `import { test } from "node:test";\ntest("case ${t}", () => {});\n`,
      );
  }
  await add("packages/core/src/engine/scheduler.ts", tsModule(rand, "core", 99, 0, 1_400)); // the mid-size file `view` reads
  for (let d = 0; d < 497 && count < 9_700; d++)
    await add(`docs/section${d % 20}/page${d}.md`, `# Page ${d}\n\n${"Lorem ipsum dolor sit amet. ".repeat(20)}\n`);
  let s = 0;
  while (count < 9_996) await add(`scripts/tool${s++}.py`, `def main():\n    print(${s})\n`);
  // A few large files, as real repositories have.
  await add(
    "data/fixtures/big.json",
    JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ["a", "b"] }))),
  );
  await add(
    "packages/core/src/generated/schema.ts",
    Array.from({ length: 20_000 }, (_, i) => `export const field${i} = { type: "string", index: ${i} } as const;`).join(
      "\n",
    ),
  );
  await add("vendor/lib.min.js", `!function(){${"var a=1;".repeat(250_000)}}();`);
  await add("CHANGELOG.md", Array.from({ length: 30_000 }, (_, i) => `- change ${i}: fixed something`).join("\n"));
  for (let n = 0; n < 300; n++)
    await put(repoDir, `node_modules/dep${n}/index.js`, "module.exports = function handleIgnoredRequest() {};\n");
  return count;
}

if (import.meta.main) {
  const result = await benchTools();
  console.log(result.name);
  for (const [k, v] of Object.entries(result.figures)) console.log(`  ${k}: ${v}`);
}
