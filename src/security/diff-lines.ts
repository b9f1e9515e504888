// Reads a unified diff (as `git diff` prints it) for what it adds: each added
// line with its path and line number in the new file, and per file how many
// bytes were added. Hunk line counts are followed, so an added line whose text
// starts with "++" is not mistaken for a file header.

export interface AddedLine {
  path: string;
  /** 1-based line number in the new version of the file. */
  line: number;
  text: string;
}

export interface DiffFile {
  path: string;
  /** Bytes of the added lines (text files), or the size a binary patch declares. */
  addedBytes: number;
  binary: boolean;
}

export interface ParsedDiff {
  files: DiffFile[];
  added: AddedLine[];
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function parseDiff(diff: string): ParsedDiff {
  const files: DiffFile[] = [];
  const added: AddedLine[] = [];
  let file: DiffFile | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  const lines = diff.split("\n");
  if (lines.at(-1) === "") lines.pop();

  for (const raw of lines) {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (oldLeft > 0 || newLeft > 0) {
      const mark = text[0];
      if (mark === "+") {
        if (file) {
          added.push({ path: file.path, line: newLine, text: text.slice(1) });
          file.addedBytes += Buffer.byteLength(text); // the "+" stands in for the newline
        }
        newLeft--;
        newLine++;
      } else if (mark === "-") {
        oldLeft--;
      } else if (mark === "\\") {
        // "\ No newline at end of file"
      } else {
        // Context (" ", or an empty line where a tool trimmed the space).
        oldLeft--;
        newLeft--;
        newLine++;
      }
      continue;
    }
    if (text.startsWith("diff --git ")) {
      file = { path: pathFromGitHeader(text.slice("diff --git ".length)), addedBytes: 0, binary: false };
      files.push(file);
      continue;
    }
    if (text.startsWith("+++ ")) {
      const target = text.slice(4);
      if (target !== "/dev/null") {
        const name = stripPrefix(unquote(target.replace(/\t.*$/, "")));
        if (file) file.path = name;
        else {
          file = { path: name, addedBytes: 0, binary: false };
          files.push(file);
        }
      }
      continue;
    }
    const hunk = HUNK.exec(text);
    if (hunk) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLine = Number(hunk[2]);
      newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
      continue;
    }
    if (file && (text.startsWith("Binary files ") || text === "GIT binary patch")) {
      file.binary = true;
      continue;
    }
    // The first block of a binary patch is the new file, deflated: "literal <inflated size>".
    // (A "delta" block's size is the delta's, not the file's: scanSizes covers those.)
    const literal = /^literal (\d+)$/.exec(text);
    if (file?.binary && literal && file.addedBytes === 0) file.addedBytes = Number(literal[1]);
  }
  return { files, added };
}

/** `a/x b/x` → `x`: both halves name the same file unless it was renamed (then `+++` corrects it). */
function pathFromGitHeader(rest: string): string {
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    const second = rest.slice(end + 2);
    return stripPrefix(unquote(second));
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === " ") return stripPrefix(rest.slice(half + 1));
  const at = rest.lastIndexOf(" b/");
  return stripPrefix(at >= 0 ? rest.slice(at + 1) : rest);
}

function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

function stripPrefix(p: string): string {
  return p.startsWith("b/") || p.startsWith("a/") ? p.slice(2) : p;
}

/** Git quotes unusual paths C-style, with octal escapes for bytes of UTF-8. */
function unquote(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "\\": 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      bytes.push(...Buffer.from(c));
      continue;
    }
    const next = body[i + 1] ?? "";
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
