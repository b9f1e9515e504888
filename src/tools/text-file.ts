// Reading and showing text files for the file tools: binary detection, line
// splitting that keeps the file's own line endings, numbered windows.
import { stat } from "node:fs/promises";
import { ToolError } from "../errors.ts";
import { readRegularFile } from "../security/repo-file.ts";

/** Files larger than this are not loaded whole: the model gets a hint instead. */
export const MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024;
/** Lines longer than this are clipped in every listing shown to the model. */
export const MAX_LINE_CHARS = 2_000;

export interface TextFile {
  text: string;
  /** "\r\n" when most line breaks are CRLF, else "\n". */
  eol: "\n" | "\r\n";
  bytes: number;
}

/** For FIFOs, sockets and devices: the file tools never open them. */
export const NOT_REGULAR = (shown: string) =>
  `\`${shown}\` is not a regular file (a FIFO, socket or device); the file tools read and write regular files only.`;

/** Git's heuristic: a NUL byte in the first 8,000 bytes makes a file binary. */
export function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8000).includes(0);
}

/** Read a text file the model named (`shown` is its name in messages), refusing binaries and giants. */
export async function readTextFile(abs: string, shown: string): Promise<TextFile> {
  const st = await stat(abs).catch(() => undefined);
  if (!st)
    throw new ToolError(
      `\`${shown}\` does not exist. Find files with \`search\` (mode: "files"), or make it with \`create\`.`,
    );
  if (st.isDirectory()) throw new ToolError(`\`${shown}\` is a directory, not a file.`);
  if (!st.isFile()) throw new ToolError(NOT_REGULAR(shown));
  if (st.size > MAX_TEXT_FILE_BYTES) {
    throw new ToolError(
      `\`${shown}\` is ${formatBytes(st.size)}, too large to load whole. Find what you need with \`search\` (path: "${shown}"), or print a range with \`shell\`: \`sed -n '100,200p' ${shown}\`.`,
    );
  }
  // Opened without blocking and read only as a regular file: a FIFO the agent made would hang the app's thread on open.
  const file = await readRegularFile(abs, MAX_TEXT_FILE_BYTES);
  if (!file.ok) {
    if (file.reason === "missing")
      throw new ToolError(
        `\`${shown}\` does not exist. Find files with \`search\` (mode: "files"), or make it with \`create\`.`,
      );
    if (file.reason === "too-large")
      throw new ToolError(`\`${shown}\` is ${formatBytes(file.size ?? 0)}, too large to load whole.`);
    throw new ToolError(NOT_REGULAR(shown));
  }
  const buf = file.content;
  if (isBinary(buf)) {
    throw new ToolError(
      `\`${shown}\` is a binary file (${formatBytes(buf.length)}); the file tools show and edit text only. Inspect it with \`shell\` (e.g. \`file ${shown}\`) if you must.`,
    );
  }
  const text = buf.toString("utf8");
  return { text, eol: detectEol(text), bytes: buf.length };
}

export function detectEol(text: string): "\n" | "\r\n" {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? "\r\n" : "\n";
}

/** Lines without their terminators; a final line break does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** 1-based line number of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** `cat -n`-like numbered lines (number, tab, text), long lines clipped. */
export function numbered(lines: string[], firstLine: number, lastLine: number): string {
  const width = String(lastLine).length;
  const out: string[] = [];
  for (let n = firstLine; n <= lastLine; n++) {
    const line = lines[n - 1];
    if (line === undefined) break;
    out.push(`${String(n).padStart(width)}\t${clipLine(line)}`);
  }
  return out.join("\n");
}

export function clipLine(line: string, max = MAX_LINE_CHARS): string {
  if (line.length <= max) return line;
  return `${line.slice(0, max)} … [line clipped: ${line.length.toLocaleString("en-US")} characters]`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
