// The one place tool calls are handled (ARCHITECTURE.md §5.2): find the tool, parse
// and validate the model's arguments, run it, turn every failure into a
// result the model can act on, redact and truncate. `call` never throws.
import { z } from "zod";
import { ToolError } from "../errors.ts";
import type { ToolSpec } from "../llm/types.ts";
import { truncateMiddle } from "../shared/truncate.ts";
import { createTool } from "./create.ts";
import type { Tool, ToolContext, ToolOutcome } from "./define.ts";
import { editTool } from "./edit.ts";
import { finishTool } from "./finish.ts";
import { insertTool } from "./insert.ts";
import { lintTool } from "./lint.ts";
import { runTestsTool } from "./run-tests.ts";
import { searchTool } from "./search.ts";
import { shellTool } from "./shell.ts";
import { preloadSyntaxCheckers } from "./syntax-check.ts";
import { viewTool } from "./view.ts";

export const DEFAULT_MAX_OUTPUT_CHARS = 12_000;
const WRITING_TOOLS = new Set(["edit", "insert", "create"]);

export interface RegistryOptions {
  /** Longest tool result the model sees; longer ones lose their middle. */
  maxOutputChars?: number;
}

export interface ToolRegistry {
  readonly names: string[];
  specs(): ToolSpec[];
  call(call: { name: string; arguments: string }, ctx: ToolContext): Promise<ToolOutcome>;
}

/** The standard tool set of the agent loop. */
export function defaultTools(): Tool[] {
  return [
    viewTool,
    searchTool,
    editTool,
    insertTool,
    createTool,
    shellTool,
    runTestsTool,
    lintTool,
    finishTool,
  ] as Tool[];
}

/** Names models trained on other harnesses reach for, and what they mean here. */
const LIKELY_MEANT: Record<string, string> = {
  bash: "shell",
  sh: "shell",
  execute: "shell",
  exec: "shell",
  run: "shell",
  terminal: "shell",
  run_command: "shell",
  execute_command: "shell",
  str_replace: "edit",
  str_replace_editor: "edit",
  replace: "edit",
  edit_file: "edit",
  apply_patch: "edit",
  read: "view",
  read_file: "view",
  cat: "view",
  open: "view",
  open_file: "view",
  list_dir: "view",
  ls: "view",
  grep: "search",
  find: "search",
  rg: "search",
  find_file: "search",
  search_files: "search",
  write: "create",
  write_file: "create",
  create_file: "create",
  test: "run_tests",
  tests: "run_tests",
  run_test: "run_tests",
  run_lint: "lint",
  linter: "lint",
  eslint: "lint",
  submit: "finish",
  done: "finish",
  complete: "finish",
  attempt_completion: "finish",
};

export function createRegistry(tools: Tool[], options: RegistryOptions = {}): ToolRegistry {
  const maxChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  const byName = new Map<string, Tool>();
  for (const t of tools) {
    if (byName.has(t.name)) throw new Error(`two tools are named ${t.name}`);
    byName.set(t.name, t);
  }
  const specs: ToolSpec[] = tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: jsonSchemaOf(t),
  }));
  const specByName = new Map(specs.map((s) => [s.name, s]));
  const names = tools.map((t) => t.name);
  // While the model thinks about its first steps, not during its first edit.
  if (names.some((n) => WRITING_TOOLS.has(n))) preloadSyntaxCheckers();

  const finish = (outcome: ToolOutcome, ctx: ToolContext): ToolOutcome => ({
    ...outcome,
    output: truncateMiddle(ctx.redactor.redact(outcome.output), maxChars),
    ...(outcome.finish
      ? {
          finish: {
            summary: ctx.redactor.redact(outcome.finish.summary),
            ...(outcome.finish.threads
              ? { threads: outcome.finish.threads.map((t) => ({ ...t, reply: ctx.redactor.redact(t.reply) })) }
              : {}),
          },
        }
      : {}),
  });

  return {
    names,
    specs: () => specs.map((s) => ({ ...s })),
    async call(call, ctx) {
      const tool = byName.get(call.name);
      if (!tool) return finish(malformed(unknownToolMessage(call.name, names)), ctx);
      const spec = specByName.get(tool.name)!;
      const parsed = parseArguments(call.arguments);
      if (!parsed.ok)
        return finish(
          malformed(`The arguments of \`${tool.name}\` are ${parsed.problem}.\n${expectedShape(spec)}`),
          ctx,
        );
      const validated = validate(tool, parsed.value);
      if (!validated.ok)
        return finish(
          malformed(
            `Invalid arguments for \`${tool.name}\`:\n${validated.problems.map((p) => `- ${p}`).join("\n")}\n${expectedShape(spec)}`,
          ),
          ctx,
        );
      if (ctx.signal.aborted) return finish({ isError: true, output: `Not run: the job was cancelled.` }, ctx);
      return finish(await runCancellable(tool, validated.value, ctx), ctx);
    },
  };
}

function malformed(output: string): ToolOutcome {
  return { isError: true, malformed: true, output };
}

function unknownToolMessage(name: string, names: string[]): string {
  const lower = name.trim().toLowerCase();
  const meant = names.includes(lower) ? lower : LIKELY_MEANT[lower];
  const hint = meant && names.includes(meant) ? ` Did you mean \`${meant}\`?` : "";
  return `Unknown tool \`${name}\`.${hint} Available tools: ${names.join(", ")}.`;
}

type ParseResult = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

/** Lenient where models are predictably sloppy: empty/null for no arguments, double-encoded JSON, a code fence. */
export function parseArguments(raw: string | null | undefined): ParseResult {
  let text = (raw ?? "").trim();
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/.exec(text);
  if (fenced) text = fenced[1]!.trim();
  if (text === "" || text === "null") return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${(err as Error).message})` };
  }
  if (typeof value === "string") {
    const inner = value.trim();
    if (inner === "" || inner === "null") return { ok: true, value: {} };
    try {
      value = JSON.parse(inner);
    } catch {
      return { ok: false, problem: "a JSON string, not a JSON object" };
    }
  }
  if (value === null) return { ok: true, value: {} };
  if (typeof value !== "object" || Array.isArray(value))
    return { ok: false, problem: `a JSON ${Array.isArray(value) ? "array" : typeof value}, not a JSON object` };
  return { ok: true, value: value as Record<string, unknown> };
}

function validate(
  tool: Tool,
  value: Record<string, unknown>,
): { ok: true; value: unknown } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  // Unknown keys are errors, not silently dropped: a misspelt `replaceAll` must not become a one-match edit.
  if (tool.params instanceof z.ZodObject) {
    const shape = tool.params.shape as Record<string, unknown>;
    for (const key of Object.keys(value)) if (!(key in shape)) problems.push(`${key}: unknown argument`);
  }
  const result = tool.params.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues)
      problems.push(`${issue.path.length ? issue.path.join(".") : "(arguments)"}: ${issue.message}`);
  }
  return problems.length > 0 || !result.success ? { ok: false, problems } : { ok: true, value: result.data };
}

/** Run the tool, turning every failure into a result; on cancellation return at once without waiting for it. */
async function runCancellable(tool: Tool, args: unknown, ctx: ToolContext): Promise<ToolOutcome> {
  const running: Promise<ToolOutcome> = Promise.resolve()
    .then(() => tool.run(args, ctx))
    .then(
      (result) => (typeof result === "string" ? { isError: false, output: result } : result),
      (err: unknown) => {
        if (err instanceof ToolError) return { isError: true, output: err.message };
        const message = err instanceof Error ? err.message : String(err);
        return {
          isError: true,
          output: `internal error in tool ${tool.name}: ${message}. This is a fault of the tool, not of your call; try another way to get the same result.`,
        };
      },
    );
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<ToolOutcome>((resolve) => {
    onAbort = () => resolve({ isError: true, output: `Stopped: the job was cancelled while \`${tool.name}\` ran.` });
    ctx.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([running, aborted]);
  } finally {
    if (onAbort) ctx.signal.removeEventListener("abort", onAbort);
  }
}

/** JSON Schema for the model: input shape (defaults optional), no noise, closed objects. */
function jsonSchemaOf(tool: Tool): Record<string, unknown> {
  const schema = z.toJSONSchema(tool.params, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete schema.$schema;
  return tidy(schema) as Record<string, unknown>;
}

function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === "maximum" && v === Number.MAX_SAFE_INTEGER) || (k === "minimum" && v === Number.MIN_SAFE_INTEGER))
      continue;
    out[k] = tidy(v);
  }
  if (out.type === "object") {
    out.properties ??= {};
    out.additionalProperties = false;
  }
  return out;
}

/** "Expected arguments: - path (string, required): ..." from the tool's JSON Schema. */
function expectedShape(spec: ToolSpec): string {
  const props = (spec.parameters.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((spec.parameters.required ?? []) as string[]);
  const entries = Object.entries(props);
  if (entries.length === 0) return `\`${spec.name}\` takes no arguments: send {}.`;
  const lines = entries.map(([name, p]) => {
    const type = Array.isArray(p.enum)
      ? (p.enum as unknown[]).map((e) => JSON.stringify(e)).join(" | ")
      : String(p.type ?? "any");
    const flags = [
      type,
      required.has(name) ? "required" : p.default !== undefined ? `default ${JSON.stringify(p.default)}` : "optional",
    ].join(", ");
    return `- ${name} (${flags})${p.description ? `: ${String(p.description)}` : ""}`;
  });
  return `Expected a JSON object with:\n${lines.join("\n")}`;
}
