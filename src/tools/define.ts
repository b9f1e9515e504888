// One way to make a tool (ARCHITECTURE.md §5.2). The registry validates arguments,
// catches errors, truncates and redacts output in one place.
import type { z } from "zod";
import type { RepoConfig } from "../config/repo-config.ts";
import type { Redactor } from "../security/redact.ts";
import type { CommandRunner, Workspace } from "../workspace/types.ts";

export interface ToolContext {
  workspace: Workspace;
  runner: CommandRunner;
  config: RepoConfig;
  /** The repository's test command (config, else detected); undefined when none was found. */
  testCommand: string | undefined;
  redactor: Redactor;
  signal: AbortSignal;
  // No secrets here: the agent's tools never get them (ARCHITECTURE.md §6).
}

/** The model's word on one review thread it was shown (by id): what it did, or why nothing. */
export interface ThreadNote {
  thread: string;
  /** It changed code for this thread. */
  changed: boolean;
  /** One or two sentences for the reviewer. */
  reply: string;
}

/** What a tool call produced, as the loop sees it. */
export interface ToolOutcome {
  /** Text for the model: what happened, and on failure what to try instead. */
  output: string;
  isError: boolean;
  /** Set by `finish`: the loop stops and the app verifies. */
  finish?: { summary: string; threads?: ThreadNote[] };
  /** The call itself was broken (unknown tool, bad JSON, arguments not matching the schema). */
  malformed?: boolean;
}

export interface Tool<P extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  params: P;
  run(args: z.infer<P>, ctx: ToolContext): Promise<string | ToolOutcome>;
}

export function defineTool<P extends z.ZodType>(tool: Tool<P>): Tool<P> {
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(tool.name)) throw new Error(`bad tool name: ${tool.name}`);
  return tool;
}
