// The copy of a fresh install into the dependency cache runs while the model
// is asked (it is off the way to the first model call), and no tool touches
// the workspace before it is done: the cache must hold the trusted install,
// not something the agent changed.
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { ToolCaller } from "../../src/agent/loop.ts";
import { repoConfigSchema } from "../../src/config/repo-config.ts";
import { OpenAIChatModel } from "../../src/llm/chat-model.ts";
import { solve } from "../../src/run/solve.ts";
import { Redactor } from "../../src/security/redact.ts";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import type { SetupCache } from "../../src/workspace/cache/deps.ts";
import { DirectRunner } from "../../src/workspace/sandbox.ts";
import { createModelServer } from "../support/model-server.ts";
import { makeRepo } from "../tools/helpers.ts";
import { SUM_REPO } from "../agent/harness.ts";

describe("the dependency cache's copy after setup", () => {
  it("runs while the model is asked, and every tool call waits for it", async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const cache: SetupCache = {
      restore: () => Promise.resolve(undefined),
      discard: () => Promise.resolve(),
      save: () => {
        order.push("save started");
        return new Promise<boolean>((resolve) => {
          release = () => {
            order.push("save done");
            resolve(true);
          };
        });
      },
    };
    const model = await createModelServer({
      turns: [
        () => {
          order.push("model asked");
          // The copy ends well after the reply is back: without the gate the tool would have run by then.
          setTimeout(() => release(), 500);
          return { toolCalls: [{ name: "view", arguments: { path: "src/sum.js" } }] };
        },
        { toolCalls: [{ name: "finish", arguments: { summary: "looked" } }] },
      ],
    });
    const registry = createRegistry(defaultTools());
    const tools: ToolCaller = {
      specs: () => registry.specs(),
      call: (call, ctx) => {
        order.push(`tool ${call.name}`);
        return registry.call(call, ctx);
      },
    };
    const repo = await makeRepo(SUM_REPO);
    try {
      const result = await solve({
        workspace: {
          dir: repo.workspace,
          runner: new DirectRunner(),
          tools,
          redactor: new Redactor(),
          setupCache: cache,
        },
        config: repoConfigSchema.parse({ setup: "true", test: "true" }),
        task: { source: "t/r#1", repo: "t/r", title: "Look", body: "look", comments: [] },
        model: {
          chat: new OpenAIChatModel({
            apiKey: "k",
            baseUrl: model.url,
            model: "scripted-model",
            protocol: "auto",
            timeoutMs: 10_000,
            retries: 0,
            maxOutputTokens: 1_000,
          }),
          contextWindow: 100_000,
          maxOutputTokens: 1_000,
        },
        signal: new AbortController().signal,
        log: pino({ level: "silent" }),
      });
      expect(result.stop).toBe("finish");
      expect(order.slice(0, 5)).toEqual(["save started", "model asked", "save done", "tool view", "tool finish"]);
    } finally {
      await model.close();
    }
  });
});
