// The scripted "reference" model: it applies a task's known fix through the
// agent's own tools (one `create` per changed file with its content after
// the fix, `shell rm` for a deleted one), then calls `finish`. Run over the
// shipped tasks it shows the plumbing — clone, sandbox, tools, loop, commit,
// hidden tests — resolves every task when the change is right.
import { readFile, rm, writeFile, mkdtemp } from "node:fs/promises";
import path from "node:path";
import type { ChatModel, ChatRequest, ChatResponse, ToolCall } from "../llm/types.ts";
import { git } from "./source.ts";

export type FileEdit = { path: string; content: string } | { path: string; deleted: true };

/** The files a patch changes, as they are after it, computed on a scratch clone of the task's base. */
export async function referenceEdits(
  source: string,
  baseCommit: string | undefined,
  patch: string,
  scratchDir: string,
): Promise<FileEdit[]> {
  const dir = await mkdtemp(path.join(scratchDir, "issuesmith-eval-ref-"));
  try {
    await git(scratchDir, ["clone", "-q", "--no-checkout", source, dir]);
    await git(dir, ["checkout", "-q", baseCommit ?? "HEAD"]);
    const patchFile = path.join(scratchDir, `${path.basename(dir)}.patch`);
    await writeFile(patchFile, patch);
    try {
      await git(dir, ["apply", "--whitespace=nowarn", patchFile]);
    } catch (err) {
      throw new Error(`the reference patch does not apply to the base: ${firstLine(err)}`, { cause: err });
    } finally {
      await rm(patchFile, { force: true });
    }
    const status = await git(dir, ["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
    const edits: FileEdit[] = [];
    for (const entry of status.split("\0").filter(Boolean)) {
      const code = entry.slice(0, 2);
      const file = entry.slice(3);
      if (code.includes("D")) edits.push({ path: file, deleted: true });
      else edits.push({ path: file, content: await readFile(path.join(dir, file), "utf8") });
    }
    if (edits.length === 0) throw new Error("the reference patch changes nothing");
    return edits;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export class ReferenceModel implements ChatModel {
  readonly name = "reference";
  readonly protocol = "native" as const;
  readonly #edits: FileEdit[];
  #turn = 0;

  constructor(edits: FileEdit[]) {
    this.#edits = edits;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    request.signal?.throwIfAborted();
    const started = performance.now();
    const turn = this.#turn++;
    const toolCalls: ToolCall[] =
      turn === 0
        ? this.#edits.map((e, i) => ({
            id: `ref-${turn}-${i}`,
            name: "deleted" in e ? "shell" : "create",
            arguments: JSON.stringify(
              "deleted" in e
                ? { command: `rm -f -- ${shellQuote(e.path)}` }
                : { path: e.path, content: e.content, overwrite: true },
            ),
          }))
        : [
            {
              id: `ref-${turn}-finish`,
              name: "finish",
              arguments: JSON.stringify({ summary: "Applied the reference fix." }),
            },
          ];
    return {
      content: turn === 0 ? "Applying the reference fix." : "",
      toolCalls,
      usage: { inputTokens: 0, outputTokens: 0 },
      finishReason: "tool_calls",
      latencyMs: performance.now() - started,
      model: this.name,
    };
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? ((err as { stderr?: string }).stderr ?? err.message) : String(err);
  return text.trim().split("\n")[0] ?? "";
}
