import { describe, expect, it } from "vitest";
import {
  findConflictHunks,
  renderConflicts,
  type ConflictedFile,
  type RenderLimits,
} from "../../src/workspace/conflict-hunks.ts";

const DIFF3 = [
  "export function sum(a, b) {",
  "<<<<<<< HEAD",
  "  return a + b;",
  "||||||| d191e89",
  "  return a - b;",
  "=======",
  "  return x - y;",
  ">>>>>>> 5fda065",
  "}",
  "",
].join("\n");

function file(path: string, text: string, status = "UU"): ConflictedFile {
  return { path, status, hunks: findConflictHunks(text), binary: false };
}

describe("findConflictHunks", () => {
  it("finds a diff3 hunk with its lines, markers included", () => {
    expect(findConflictHunks(DIFF3)).toEqual([
      {
        startLine: 2,
        endLine: 8,
        text: "<<<<<<< HEAD\n  return a + b;\n||||||| d191e89\n  return a - b;\n=======\n  return x - y;\n>>>>>>> 5fda065",
      },
    ]);
  });

  it("finds several hunks, in the plain style without an ancestor section too", () => {
    const text = "<<<<<<< HEAD\na\n=======\nb\n>>>>>>> main\nsame\n<<<<<<< HEAD\nc\n=======\nd\n>>>>>>> main\n";
    expect(findConflictHunks(text).map((h) => [h.startLine, h.endLine])).toEqual([
      [1, 5],
      [7, 11],
    ]);
  });

  it("leaves alone what only looks like markers: a setext heading, a lone or unclosed opener, markers out of order", () => {
    expect(findConflictHunks("Title\n=======\n\ntext\n")).toEqual([]);
    expect(findConflictHunks("<<<<<<< HEAD\nonly an opener\n")).toEqual([]);
    expect(findConflictHunks(">>>>>>> x\n=======\n<<<<<<< y\n")).toEqual([]);
    expect(findConflictHunks("<<<<<<<< eight\n=======\n>>>>>>> x\n")).toEqual([]);
    expect(findConflictHunks("<<<<<<< HEAD\na\n>>>>>>> x\n")).toEqual([]);
  });

  it("restarts at a second opener before the first hunk closes", () => {
    const text = "<<<<<<< stray\nx\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> main\n";
    expect(findConflictHunks(text).map((h) => h.startLine)).toEqual([3]);
  });

  it("finds a hunk at the very end of a file with no trailing newline", () => {
    expect(findConflictHunks("<<<<<<< HEAD\na\n=======\nb\n>>>>>>> main")).toHaveLength(1);
  });
});

describe("renderConflicts", () => {
  const small: RenderLimits = { maxFiles: 2, maxHunksPerFile: 1, maxHunkLines: 5, maxChars: 10_000 };

  it("shows each file with its status and each hunk fenced with its lines", () => {
    const out = renderConflicts([file("src/sum.js", DIFF3)]);
    expect(out).toBe(
      "**`src/sum.js`** (1 conflict)\nlines 2–8:\n```\n<<<<<<< HEAD\n  return a + b;\n||||||| d191e89\n  return a - b;\n=======\n  return x - y;\n>>>>>>> 5fda065\n```",
    );
  });

  it("uses a fence longer than any backtick run in the hunk, so the hunk cannot close it", () => {
    const text = "<<<<<<< HEAD\n```js\n=======\n````\n>>>>>>> main\n";
    const out = renderConflicts([file("README.md", text)]);
    expect(out).toContain("\n`````\n<<<<<<< HEAD");
    expect(out.trimEnd().endsWith("\n`````")).toBe(true);
  });

  it("cuts long hunks in the middle, keeps head and tail, and says how much was cut", () => {
    const body = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n");
    const out = renderConflicts([file("big.txt", `<<<<<<< HEAD\n${body}\n=======\nb\n>>>>>>> main\n`)], small);
    expect(out).toContain("<<<<<<< HEAD\nline 0\n[... 50 lines cut ...]\nb\n>>>>>>> main");
  });

  it("names the hunks, files and characters past the limits instead of showing them", () => {
    const two = "<<<<<<< HEAD\na\n=======\nb\n>>>>>>> m\n<<<<<<< HEAD\nc\n=======\nd\n>>>>>>> m\n";
    const out = renderConflicts([file("a", two), file("b", two), file("c", two)], small);
    expect(out).toContain("…and 1 more conflict in this file");
    expect(out).toContain("…and 1 more conflicted file: `c`");
    const tight = renderConflicts([file("a", two), file("b", two)], { ...small, maxChars: 50 });
    expect(tight).toContain("**`a`**");
    expect(tight).toContain("…and 1 more conflicted file: `b`");
  });

  it("describes conflicts that have no markers: a delete on one side, a binary file", () => {
    const out = renderConflicts([
      { path: "gone.js", status: "UD", hunks: [], binary: false },
      { path: "logo.png", status: "UU", hunks: [], binary: true },
    ]);
    expect(out).toBe(
      "**`gone.js`** (changed on the branch, deleted on the base)\n\n**`logo.png`** (binary file changed on both sides)",
    );
  });
});
