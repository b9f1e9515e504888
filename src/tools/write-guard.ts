// The one door for every file write of the tools: the path guard (inside the
// repository by real path, not in .git/), the protected-path rules of the
// repo config, the file-size limit, and the syntax check shown afterwards.
import { lstat, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ToolError } from "../errors.ts";
import type { RepoConfig } from "../config/repo-config.ts";
import { resolveInWorkspace, toWorkspaceRelative } from "../security/paths.ts";
import { protectedPathMatcher, type ProtectedPathMatcher } from "../security/protected-paths.ts";
import type { ToolContext } from "./define.ts";
import { checkSyntax, formatSyntaxResult } from "./syntax-check.ts";
import { formatBytes, NOT_REGULAR, readTextFile, type TextFile } from "./text-file.ts";

export interface WritableFile {
  abs: string;
  /** Repository-relative, for messages and the protected-path rules. */
  rel: string;
}

const matchers = new WeakMap<RepoConfig, ProtectedPathMatcher>();

/** Resolve a path the model wants to write, refusing what it may not change. */
export async function resolveWritable(ctx: ToolContext, requested: string): Promise<WritableFile> {
  const repoDir = ctx.workspace.repoDir;
  const abs = await resolveInWorkspace(repoDir, requested, { write: true });
  const rel = toWorkspaceRelative(repoDir, abs);
  let matcher = matchers.get(ctx.config);
  if (!matcher) {
    matcher = protectedPathMatcher(ctx.config);
    matchers.set(ctx.config, matcher);
  }
  const reason = matcher(rel);
  if (reason !== undefined) {
    throw new ToolError(
      `Refused: ${reason}. Leave this file as it is; if the task needs it changed, say so in your \`finish\` summary for the maintainers.`,
    );
  }
  const st = await lstat(abs).catch(() => undefined);
  // A hard link shares its content with a file that may live outside the
  // repository; no real-path check can see where the other name is.
  // Opening a FIFO to write blocks until someone reads it: the app would hang.
  if (st && !st.isFile() && !st.isDirectory()) throw new ToolError(NOT_REGULAR(rel));
  if (st?.isFile() && st.nlink > 1)
    throw new ToolError(`\`${rel}\` is a hard link to another file; the tools do not write through hard links.`);
  return { abs, rel };
}

/** Write the new content (creating parent directories) within the config's size limit. */
/** An existing file the model wants to change in place (`edit`, `insert`): resolved as writable, then read. */
export async function openForChange(ctx: ToolContext, requested: string): Promise<WritableFile & TextFile> {
  const file = await resolveWritable(ctx, requested);
  const text = await readTextFile(file.abs, file.rel).catch((err: unknown) => {
    if (err instanceof ToolError && /does not exist/.test(err.message))
      throw new ToolError(`\`${file.rel}\` does not exist. Make new files with \`create\`.`);
    throw err;
  });
  return { ...file, ...text };
}

export async function writeChecked(ctx: ToolContext, file: WritableFile, content: string): Promise<void> {
  const bytes = Buffer.byteLength(content);
  const limit = ctx.config.max_file_kb * 1024;
  if (bytes > limit) {
    throw new ToolError(
      `Refused: \`${file.rel}\` would be ${formatBytes(bytes)}, over the ${formatBytes(limit)} limit for files (\`max_file_kb\` in .github/agent.yml).`,
    );
  }
  try {
    await mkdir(path.dirname(file.abs), { recursive: true });
    await writeFile(file.abs, content);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOTDIR" || code === "EEXIST"
        ? "a parent of it is a file, not a directory"
        : code === "EISDIR"
          ? "it is a directory"
          : (err as Error).message;
    throw new ToolError(`Could not write \`${file.rel}\`: ${why}.`);
  }
}

/** The syntax check line appended to a write's result ("" when the language has no checker). */
export async function syntaxNote(ctx: ToolContext, file: WritableFile, content: string): Promise<string> {
  const result = await checkSyntax(file.rel, content, {
    runner: ctx.runner,
    workspace: ctx.workspace,
    signal: ctx.signal,
  });
  const text = formatSyntaxResult(result, content);
  return text ? `\n${text}` : "";
}
