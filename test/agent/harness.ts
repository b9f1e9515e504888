// solve() on a temp repository with the scripted model server: the agent
// core end to end, without GitHub.
import pino from "pino";
import { repoConfigSchema, type RepoConfig } from "../../src/config/repo-config.ts";
import { OpenAIChatModel } from "../../src/llm/chat-model.ts";
import { solve, type SolveEvent, type SolveResult } from "../../src/run/solve.ts";
import { Redactor } from "../../src/security/redact.ts";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { DirectRunner } from "../../src/workspace/sandbox.ts";
import { createModelServer, type ModelServer, type ModelServerOptions, type Turn } from "../support/model-server.ts";
import { makeRepo, type TestRepo } from "../tools/helpers.ts";
import { GitWorkspace } from "../../src/workspace/git.ts";
import { trustGate } from "../../src/run/trust-gate.ts";

export interface Run {
  result: SolveResult;
  events: SolveEvent[];
  model: ModelServer;
  repo: TestRepo;
}

export async function runSolve(options: {
  files: Record<string, string>;
  turns: Turn[];
  config?: Record<string, unknown>;
  protocol?: "auto" | "native" | "text";
  noNativeTools?: boolean;
  contextWindow?: number;
  maxOutputTokens?: number;
  model?: string;
  prices?: Record<string, { input: number; output: number }>;
  /** The redactor the run uses (one that knows the test's secrets). */
  redactor?: Redactor;
  /** Budget values below the schema's minimums, for tests that cannot wait a minute. */
  rawBudget?: Partial<RepoConfig["budget"]>;
  /** The provider the model server plays, its faults and limits. */
  server?: Omit<ModelServerOptions, "turns">;
  /** A trust boundary from the repository's first commit, with these opted-in secrets. */
  trustedSecrets?: Record<string, string>;
}): Promise<Run> {
  const model = await createModelServer({
    ...options.server,
    turns: options.turns,
    ...(options.noNativeTools ? { noNativeTools: true } : {}),
    ...(options.model ? { model: options.model } : {}),
  });
  const repo = await makeRepo(options.files);
  const parsed = repoConfigSchema.parse({ setup: null, ...options.config });
  const config: RepoConfig = { ...parsed, budget: { ...parsed.budget, ...options.rawBudget } };
  const events: SolveEvent[] = [];
  const log = pino({ level: "silent" });
  const git = options.trustedSecrets
    ? await GitWorkspace.open({ dir: repo.repoDir, home: repo.workspace.homeDir })
    : undefined;
  const trust = git ? trustGate(git, await git.head(), options.trustedSecrets, log) : undefined;
  try {
    const result = await solve({
      workspace: {
        dir: repo.workspace,
        runner: new DirectRunner(),
        tools: createRegistry(defaultTools()),
        redactor: options.redactor ?? new Redactor(),
        ...(trust ? { trust } : {}),
      },
      config,
      task: { source: "test/repo#1", repo: "test/repo", title: "Fix the bug", body: "sum(2, 3) is -1", comments: [] },
      model: {
        chat: new OpenAIChatModel({
          apiKey: "k",
          baseUrl: model.url,
          model: options.model ?? "scripted-model",
          protocol: options.protocol ?? "auto",
          timeoutMs: 10_000,
          retries: 2,
          maxOutputTokens: options.maxOutputTokens ?? 1_000,
        }),
        contextWindow: options.contextWindow ?? 100_000,
        maxOutputTokens: options.maxOutputTokens ?? 1_000,
        ...(options.prices ? { prices: options.prices } : {}),
      },
      signal: new AbortController().signal,
      log,
      hooks: {
        onEvent: (e) => {
          events.push(e);
        },
      },
    });
    return { result, events, model, repo };
  } finally {
    await model.close();
  }
}

export const SUM_REPO: Record<string, string> = {
  "package.json": JSON.stringify({ name: "r", type: "module", scripts: { test: "node --test" } }),
  "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
  "test/sum.test.js":
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { sum } from "../src/sum.js";\ntest("adds", () => assert.equal(sum(2, 3), 5));\n',
};
