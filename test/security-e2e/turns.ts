// Scripted model turns for the attack tests, and a way to look inside the
// job's workspace while it runs (the workspace is gone once the job ends).
import { glob } from "node:fs/promises";
import path from "node:path";
import { stringify } from "yaml";
import type { TestApp } from "../support/app.ts";
import type { ModelRequest, ReplyTurn, Turn } from "../support/model-server.ts";
import { filesUnder, type Place } from "./leaks.ts";

export const shell = (command: string): ReplyTurn => ({ toolCalls: [{ name: "shell", arguments: { command } }] });
export const view = (p: string): ReplyTurn => ({ toolCalls: [{ name: "view", arguments: { path: p } }] });
export const create = (p: string, content: string, overwrite = false): ReplyTurn => ({
  toolCalls: [{ name: "create", arguments: { path: p, content, ...(overwrite ? { overwrite } : {}) } }],
});
export const edit = (p: string, oldStr: string, newStr: string): ReplyTurn => ({
  toolCalls: [{ name: "edit", arguments: { path: p, old_str: oldStr, new_str: newStr } }],
});
export const finish = (summary: string): ReplyTurn => ({ toolCalls: [{ name: "finish", arguments: { summary } }] });

/** A repository whose jobs are quick: no setup, a test command that passes, no extra rounds; `config` adds to or overrides that. */
export function quickRepo(
  files: Record<string, string> = {},
  config: Record<string, unknown> = {},
): Record<string, string> {
  const { budget, ...rest } = config;
  const agentYml = {
    setup: null,
    test: "true",
    ...rest,
    budget: { test_rounds: 0, ...(budget as Record<string, unknown> | undefined) },
  };
  return {
    "README.md": "# widgets\n",
    "src/sum.js": "export function sum(a, b) {\n  return a - b;\n}\n",
    ".github/agent.yml": stringify(agentYml),
    ...files,
  };
}

/** The job workspaces under the app's work dir (there is one while a job runs). */
export async function workspaceRoots(app: TestApp): Promise<string[]> {
  const roots: string[] = [];
  for await (const d of glob(path.join(app.workDir, "issuesmith-*"))) roots.push(d);
  return roots;
}

/** A turn that first copies every file of the running job's workspace into `into`, then answers `then`. */
export function peek(app: () => TestApp, into: Place[], then: Turn): Turn {
  return async (req: ModelRequest) => {
    const roots = await workspaceRoots(app());
    if (roots.length === 0) throw new Error("peek: no job workspace exists");
    for (const root of roots) into.push(...(await filesUnder(root, `workspace ${path.basename(root)}`)));
    return typeof then === "function" ? then(req) : then;
  };
}

/** The repository checkout of the running job. */
export async function repoDirOf(app: TestApp): Promise<string> {
  const [root] = await workspaceRoots(app);
  if (!root) throw new Error("no job workspace exists");
  return path.join(root, "repo");
}

/** The tool results the model was shown, in order, as of its last request. */
export function toolResultsSeen(app: TestApp): string[] {
  const last = app.model.requests.filter((r) => r.path.endsWith("/chat/completions") && r.body).at(-1);
  const messages = last?.body?.messages ?? [];
  return messages
    .filter((m) => m.role === "tool")
    .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)));
}
