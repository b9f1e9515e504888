// `view`: a numbered window of a file, or a directory tree. Windows rather
// than whole files keep the context small; the header always says where the
// window sits and how to see more.
import { stat } from "node:fs/promises";
import { z } from "zod";
import { ToolError } from "../errors.ts";
import { resolveInWorkspace, toWorkspaceRelative } from "../security/paths.ts";
import { defineTool } from "./define.ts";
import { listDirectory } from "./list-dir.ts";
import { clipLine, formatCount, numbered, readTextFile, splitLines } from "./text-file.ts";

export const DEFAULT_WINDOW_LINES = 200;
/** A window stops early rather than be cut in the middle by the registry's output cap. */
const WINDOW_CHARS = 10_000;
const MAX_DIR_ENTRIES = 400;

const params = z.object({
  path: z.string().default(".").describe("File or directory, relative to the repository root (default: the root)."),
  start: z.number().int().min(1).optional().describe("First line to show (1-based). Default 1."),
  end: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(`Last line to show (inclusive). Default start + ${DEFAULT_WINDOW_LINES - 1}.`),
  depth: z.number().int().min(1).max(6).optional().describe("For a directory: how many levels to list. Default 2."),
});

export const viewTool = defineTool({
  name: "view",
  description:
    `Show a file with line numbers (a window of ${DEFAULT_WINDOW_LINES} lines by default; use start/end for others), or list a directory as a tree. ` +
    "Line numbers are not part of the file: leave them out of `edit` strings.",
  params,
  async run(args, ctx) {
    const repoDir = ctx.workspace.repoDir;
    const abs = await resolveInWorkspace(repoDir, args.path);
    const shown = toWorkspaceRelative(repoDir, abs);
    const st = await stat(abs);
    if (st.isDirectory()) return listDirectory(abs, shown, { depth: args.depth ?? 2, maxEntries: MAX_DIR_ENTRIES });
    if (!st.isFile()) throw new ToolError(`\`${shown}\` is not a regular file.`);
    const file = await readTextFile(abs, shown);
    return fileWindow(shown, splitLines(file.text), args.start, args.end);
  },
});

export function fileWindow(
  shown: string,
  lines: string[],
  startArg: number | undefined,
  endArg: number | undefined,
): string {
  const total = lines.length;
  if (total === 0) return `${shown} is empty (0 lines).`;
  const start = startArg ?? 1;
  if (start > total)
    throw new ToolError(
      `start=${start} is past the end: \`${shown}\` has ${formatCount(total)} lines. View with start=${Math.max(1, total - DEFAULT_WINDOW_LINES + 1)} to see its end.`,
    );
  if (endArg !== undefined && endArg < start) throw new ToolError(`end=${endArg} is before start=${start}.`);
  let end = Math.min(total, endArg ?? start + DEFAULT_WINDOW_LINES - 1);
  let shortened = false;
  let chars = 0;
  for (let n = start; n <= end; n++) {
    chars += clipLine(lines[n - 1] ?? "").length + 8;
    if (chars > WINDOW_CHARS && n > start) {
      end = n - 1;
      shortened = true;
      break;
    }
  }
  const range = `lines ${formatCount(start)}–${formatCount(end)} of ${formatCount(total)}`;
  const more = end < total ? `; view with start=${end + 1} for more` : start > 1 ? "; end of file" : "";
  const why = shortened ? " (window shortened to fit the output limit)" : "";
  return `${shown} — ${range}${why}${more}\n${numbered(lines, start, end)}`;
}
