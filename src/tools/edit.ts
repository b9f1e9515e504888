// `edit`: replace an exact string. Exactness is the point: an edit that
// matches nothing or several places is refused with what the model needs to
// retry (the near matches, or the count and where), never guessed.
import { z } from "zod";
import { ToolError } from "../errors.ts";
import { defineTool } from "./define.ts";
import { findNearMatches } from "./near-match.ts";
import { formatCount, lineAt, numbered, splitLines } from "./text-file.ts";
import { openForChange, syntaxNote, writeChecked } from "./write-guard.ts";

const SNIPPET_CONTEXT = 3;
const MAX_SNIPPET_LINES = 40;
const MAX_LINES_LISTED = 20;

const params = z.object({
  path: z.string().min(1).describe("File to change, relative to the repository root."),
  old_str: z
    .string()
    .min(1)
    .describe(
      "The exact text to replace, including whitespace and indentation, without line numbers. It must occur exactly once unless replace_all is true; include surrounding lines to make it unique.",
    ),
  new_str: z.string().describe("The text to put in its place (may be empty to delete)."),
  replace_all: z.boolean().default(false).describe("Replace every occurrence instead of requiring exactly one."),
});

export const editTool = defineTool({
  name: "edit",
  description:
    "Replace an exact string in a file (old_str → new_str). Refuses when old_str matches zero or several times, showing near matches or where. A syntax check of the result is appended.",
  params,
  async run(args, ctx) {
    const { text, eol, ...file } = await openForChange(ctx, args.path);
    // The model writes "\n"; a CRLF file would otherwise never match.
    const toFileEol = (s: string) => (eol === "\r\n" && !s.includes("\r\n") ? s.replace(/\n/g, "\r\n") : s);
    const oldStr = toFileEol(args.old_str);
    const newStr = toFileEol(args.new_str);
    if (oldStr === newStr) throw new ToolError("old_str and new_str are identical: nothing would change.");

    const at = occurrences(text, oldStr);
    if (at.length === 0) throw new ToolError(noMatchMessage(file.rel, text, args.old_str));
    if (at.length > 1 && !args.replace_all) {
      const lines = at.map((o) => lineAt(text, o));
      const listed =
        lines.slice(0, MAX_LINES_LISTED).join(", ") +
        (lines.length > MAX_LINES_LISTED ? `, … (${lines.length - MAX_LINES_LISTED} more)` : "");
      throw new ToolError(
        `old_str matches ${formatCount(at.length)} times in \`${file.rel}\` (at lines ${listed}). ` +
          "Include more surrounding lines in old_str so that it matches exactly once, or set replace_all: true to change every occurrence.",
      );
    }

    // Build the new text, remembering where each replacement landed.
    let out = "";
    let last = 0;
    const landed: number[] = [];
    for (const o of at) {
      out += text.slice(last, o);
      landed.push(out.length);
      out += newStr;
      last = o + oldStr.length;
    }
    out += text.slice(last);
    await writeChecked(ctx, file, out);

    const newLines = splitLines(out);
    const spans = landed.map((offset) => {
      const start = lineAt(out, offset);
      const height = Math.max(1, newStr.split("\n").length - (newStr.endsWith("\n") ? 1 : 0));
      return { start, end: start + height - 1 };
    });
    const what =
      at.length === 1
        ? "replaced 1 occurrence"
        : `replaced ${formatCount(at.length)} occurrences (at lines ${spans
            .slice(0, MAX_LINES_LISTED)
            .map((s) => s.start)
            .join(", ")})`;
    const snippets = spans.slice(0, 3).map((s) => snippet(newLines, s.start, s.end));
    return `Edited \`${file.rel}\`: ${what}.\n${snippets.join("\n…\n")}${await syntaxNote(ctx, file, out)}`;
  },
});

/** Non-overlapping occurrences, left to right (what a replace would change). */
export function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) out.push(i);
  return out;
}

/** The edited region with a few lines around it, numbered as `view` shows them. */
export function snippet(lines: string[], start: number, end: number): string {
  const from = Math.max(1, start - SNIPPET_CONTEXT);
  let to = Math.min(lines.length, end + SNIPPET_CONTEXT);
  if (to - from + 1 > MAX_SNIPPET_LINES) to = from + MAX_SNIPPET_LINES - 1;
  if (lines.length === 0) return "(the file is now empty)";
  return numbered(lines, from, Math.max(from, to));
}

function noMatchMessage(rel: string, text: string, oldStr: string): string {
  const out = [
    `old_str was not found in \`${rel}\`: it must match the file exactly, including whitespace and indentation.`,
  ];
  if (oldStr.split("\n").every((l) => /^\s*\d+\t/.test(l) || l.trim() === "")) {
    out.push("It looks like it includes the line numbers `view` shows: leave them out.");
  }
  const lines = splitLines(text);
  const near = findNearMatches(text, oldStr);
  for (const m of near) {
    const label =
      m.kind === "whitespace"
        ? `It matches if whitespace is ignored at lines ${m.startLine}–${m.endLine}; copy the exact text from there:`
        : `Closest text (${Math.round(m.score * 100)}% similar), lines ${m.startLine}–${m.endLine}:`;
    out.push(label, numbered(lines, m.startLine, Math.min(m.endLine, m.startLine + 14)));
  }
  if (near.length === 0)
    out.push("Nothing similar was found: view the file (or search for a distinctive word) to get the current text.");
  else out.push("Retry with the exact current text (view the file if unsure).");
  return out.join("\n");
}
