// `insert`: add lines at a line number, for additions that have no unique
// anchor text to `edit` against (the top of a file, after a given line).
import { z } from "zod";
import { ToolError } from "../errors.ts";
import { defineTool } from "./define.ts";
import { snippet } from "./edit.ts";
import { formatCount, splitLines } from "./text-file.ts";
import { openForChange, syntaxNote, writeChecked } from "./write-guard.ts";

const params = z.object({
  path: z.string().min(1).describe("File to change, relative to the repository root."),
  line: z
    .number()
    .int()
    .min(0)
    .describe("Insert after this line number (as `view` shows them); 0 inserts at the top of the file."),
  text: z.string().min(1).describe("The lines to insert (a final newline is added if missing)."),
});

export const insertTool = defineTool({
  name: "insert",
  description:
    "Insert text after a given line of a file (line 0 = at the top). A syntax check of the result is appended.",
  params,
  async run(args, ctx) {
    const { text, eol, ...file } = await openForChange(ctx, args.path);
    const lines = splitLines(text);
    if (args.line > lines.length) {
      throw new ToolError(
        `line=${args.line} is past the end: \`${file.rel}\` has ${formatCount(lines.length)} lines. Use line=${lines.length} to append at the end.`,
      );
    }
    const added = splitLines(args.text.replace(/\r\n/g, "\n"));
    const endsWithEol = text === "" || text.endsWith("\n") || args.line === lines.length;
    const next = [...lines.slice(0, args.line), ...added, ...lines.slice(args.line)];
    const out = next.join(eol) + (endsWithEol ? eol : "");
    await writeChecked(ctx, file, out);
    const where = args.line === 0 ? "at the top" : `after line ${formatCount(args.line)}`;
    return `Inserted ${added.length} line${added.length === 1 ? "" : "s"} ${where} of \`${file.rel}\`.\n${snippet(next, args.line + 1, args.line + added.length)}${await syntaxNote(ctx, file, out)}`;
  },
});
