// git's conflict markers in a file (diff3 style: ours, the common ancestor,
// theirs), found and shown: to the model that resolves them, and in the
// report when they could not be resolved — fenced, and cut to a readable size.

export interface ConflictHunk {
  /** 1-based line of the `<<<<<<<` marker and of the `>>>>>>>` marker. */
  startLine: number;
  endLine: number;
  /** The whole hunk as the file has it, markers included. */
  text: string;
}

export interface ConflictedFile {
  path: string;
  /** git's two-letter status of an unmerged path: UU both changed, AA both added, UD/DU changed on one side and deleted on the other, … */
  status: string;
  /** The hunks with markers; empty for a delete/modify conflict or a binary file. */
  hunks: ConflictHunk[];
  binary: boolean;
}

const OPEN = /^<{7}(?: |$)/;
const BASE = /^\|{7}(?: |$)/;
const SPLIT = /^={7}$/;
const CLOSE = /^>{7}(?: |$)/;

/**
 * The conflict hunks of a file's text: each runs from a `<<<<<<<` line to its
 * `>>>>>>>` line, with a `=======` between (a `|||||||` section is optional).
 * A `<<<<<<<` that is never closed in that order is not a hunk: a Markdown
 * setext heading or a lone marker-like line is left alone.
 */
export function findConflictHunks(text: string): ConflictHunk[] {
  const lines = text.split("\n");
  const hunks: ConflictHunk[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!OPEN.test(lines[i]!)) {
      i++;
      continue;
    }
    const end = closingLine(lines, i);
    if (end === undefined) {
      i++;
      continue;
    }
    hunks.push({ startLine: i + 1, endLine: end + 1, text: lines.slice(i, end + 1).join("\n") });
    i = end + 1;
  }
  return hunks;
}

/** The `>>>>>>>` line closing the hunk opened at `open`, when the markers come in order. */
function closingLine(lines: string[], open: number): number | undefined {
  let split = false;
  for (let j = open + 1; j < lines.length; j++) {
    const line = lines[j]!;
    if (OPEN.test(line)) return undefined;
    if (!split && BASE.test(line)) continue;
    if (!split && SPLIT.test(line)) split = true;
    else if (split && CLOSE.test(line)) return j;
  }
  return undefined;
}

export interface RenderLimits {
  /** Files shown; the rest are named only. */
  maxFiles: number;
  /** Hunks shown per file. */
  maxHunksPerFile: number;
  /** Lines of one hunk shown (head and tail kept, the cut marked). */
  maxHunkLines: number;
  /** The whole text; past it, the remaining files are named only. */
  maxChars: number;
}

export const REPORT_LIMITS: RenderLimits = { maxFiles: 10, maxHunksPerFile: 5, maxHunkLines: 40, maxChars: 20_000 };

/** Markdown: each file with its hunks in fenced blocks, cut to `limits` with every cut said. */
export function renderConflicts(files: readonly ConflictedFile[], limits: RenderLimits = REPORT_LIMITS): string {
  const parts: string[] = [];
  let used = 0;
  let shown = 0;
  for (const file of files) {
    if (shown >= limits.maxFiles) break;
    const part = renderFile(file, limits);
    if (shown > 0 && used + part.length > limits.maxChars) break;
    parts.push(part);
    used += part.length;
    shown++;
  }
  const rest = files.slice(shown);
  if (rest.length > 0)
    parts.push(
      `…and ${rest.length} more conflicted file${rest.length === 1 ? "" : "s"}: ${rest.map((f) => `\`${f.path}\``).join(", ")}`,
    );
  return parts.join("\n\n");
}

function renderFile(file: ConflictedFile, limits: RenderLimits): string {
  const head = `**\`${file.path}\`** (${describeStatus(file)})`;
  if (file.hunks.length === 0) return head;
  const blocks = file.hunks.slice(0, limits.maxHunksPerFile).map((h) => {
    const body = cutLines(h.text, limits.maxHunkLines);
    return `lines ${h.startLine}–${h.endLine}:\n${fenced(body)}`;
  });
  const more = file.hunks.length - limits.maxHunksPerFile;
  if (more > 0) blocks.push(`…and ${more} more conflict${more === 1 ? "" : "s"} in this file`);
  return [head, ...blocks].join("\n");
}

export function describeStatus(file: Pick<ConflictedFile, "status" | "hunks" | "binary">): string {
  if (file.binary) return "binary file changed on both sides";
  switch (file.status) {
    case "UD":
      return "changed on the branch, deleted on the base";
    case "DU":
      return "deleted on the branch, changed on the base";
    case "AA":
      return `added on both sides, ${count(file.hunks.length)}`;
    case "AU":
    case "UA":
      return `added on one side, ${count(file.hunks.length)}`;
    case "DD":
      return "deleted on both sides";
    default:
      return count(file.hunks.length);
  }
}

function count(n: number): string {
  return `${n} conflict${n === 1 ? "" : "s"}`;
}

/** Head and tail lines kept, the cut said in between. */
function cutLines(text: string, max: number): string {
  const lines = text.split("\n");
  if (lines.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return [...lines.slice(0, head), `[... ${lines.length - head - tail} lines cut ...]`, ...lines.slice(-tail)].join(
    "\n",
  );
}

/** A code fence longer than any run of backticks in the text, so the text cannot close it. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}\n${text}\n${fence}`;
}
