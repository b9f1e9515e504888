import { link, readFile, stat, symlink } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { makeContext, makeRepo, type ContextOverrides, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
const registry = createRegistry(defaultTools());

const MATH = [
  "export function add(a: number, b: number): number {",
  "  return a + b;",
  "}",
  "",
  "export function sub(a: number, b: number): number {",
  "  return a - b;",
  "}",
  "",
  "export const ZERO = 0;",
  "export const ONE = 1;",
  "",
].join("\n");

beforeEach(async () => {
  repo = await makeRepo({
    "src/math.ts": MATH,
    "src/dup.ts": "log(1);\nlog(2);\nlog(1);\nlog(1);\n",
    "src/crlf.ts": "const a = 1;\r\nconst b = 2;\r\n",
    "config.json": '{\n  "name": "demo",\n  "version": "1.0.0"\n}\n',
    "ci.yaml": "steps:\n  - run: npm test\n",
    "app.py": "def hello():\n    return 'hi'\n",
    ".github/workflows/ci.yml": "on: push\n",
    "secrets/keys.txt": "k\n",
    "bin/tool": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]),
  });
});
afterEach(() => repo.cleanup());

const call = (name: string, args: Record<string, unknown>, ctx: ContextOverrides = {}) =>
  registry.call({ name, arguments: JSON.stringify(args) }, makeContext(repo, ctx));
const read = (rel: string) => readFile(repo.file(rel), "utf8");

describe("edit", () => {
  it("replaces a unique string and shows the edited region with line numbers and a syntax check", async () => {
    const out = await call("edit", {
      path: "src/math.ts",
      old_str: "  return a - b;",
      new_str: "  const d = a - b;\n  return d;",
    });
    expect(out.isError).toBe(false);
    expect(out.output).toBe(
      [
        "Edited `src/math.ts`: replaced 1 occurrence.",
        " 3\t}",
        " 4\t",
        " 5\texport function sub(a: number, b: number): number {",
        " 6\t  const d = a - b;",
        " 7\t  return d;",
        " 8\t}",
        " 9\t",
        "10\texport const ZERO = 0;",
        "syntax OK (TypeScript)",
      ].join("\n"),
    );
    expect(await read("src/math.ts")).toContain("  const d = a - b;\n  return d;\n}");
  });

  it("refuses a string that matches several times, naming the count and the lines", async () => {
    const out = await call("edit", { path: "src/dup.ts", old_str: "log(1);", new_str: "log(9);" });
    expect(out.isError).toBe(true);
    expect(out.output).toBe(
      "old_str matches 3 times in `src/dup.ts` (at lines 1, 3, 4). Include more surrounding lines in old_str so that it matches exactly once, or set replace_all: true to change every occurrence.",
    );
    expect(await read("src/dup.ts")).toBe("log(1);\nlog(2);\nlog(1);\nlog(1);\n");
  });

  it("replaces every occurrence with replace_all", async () => {
    const out = await call("edit", { path: "src/dup.ts", old_str: "log(1);", new_str: "log(9);", replace_all: true });
    expect(out.output).toMatch(/^Edited `src\/dup\.ts`: replaced 3 occurrences \(at lines 1, 3, 4\)\./);
    expect(await read("src/dup.ts")).toBe("log(9);\nlog(2);\nlog(9);\nlog(9);\n");
  });

  it("refuses a string that matches nothing, pointing at the whitespace-insensitive match", async () => {
    const out = await call("edit", { path: "src/math.ts", old_str: "return a+b;", new_str: "return b + a;" });
    expect(out.isError).toBe(true);
    expect(out.output).toBe(
      [
        "old_str was not found in `src/math.ts`: it must match the file exactly, including whitespace and indentation.",
        "It matches if whitespace is ignored at lines 2–2; copy the exact text from there:",
        "2\t  return a + b;",
        "Retry with the exact current text (view the file if unsure).",
      ].join("\n"),
    );
  });

  it("refuses a string that matches nothing, showing the most similar lines", async () => {
    const out = await call("edit", {
      path: "src/math.ts",
      old_str: "export function subtract(a: number, b: number): number {\n  return a - b;",
      new_str: "x",
    });
    expect(out.output).toMatch(/^old_str was not found in `src\/math\.ts`/);
    expect(out.output).toMatch(
      /Closest text \(\d+% similar\), lines 5–6:\n5\texport function sub\(a: number, b: number\): number \{\n6\t  return a - b;/,
    );
  });

  it("says when nothing similar exists", async () => {
    const out = await call("edit", { path: "src/math.ts", old_str: "zzzz qqqq wwww", new_str: "x" });
    expect(out.output).toContain("Nothing similar was found");
  });

  it("notices line numbers copied from view", async () => {
    const out = await call("edit", { path: "src/math.ts", old_str: "2\t  return a + b;", new_str: "x" });
    expect(out.output).toContain("It looks like it includes the line numbers `view` shows: leave them out.");
  });

  it("refuses identical old and new strings", async () => {
    expect((await call("edit", { path: "src/math.ts", old_str: "ZERO", new_str: "ZERO" })).output).toBe(
      "old_str and new_str are identical: nothing would change.",
    );
  });

  it("points to create for a missing file", async () => {
    expect((await call("edit", { path: "src/nope.ts", old_str: "a", new_str: "b" })).output).toBe(
      "`src/nope.ts` does not exist. Make new files with `create`.",
    );
  });

  it("refuses a binary file", async () => {
    expect((await call("edit", { path: "bin/tool", old_str: "ELF", new_str: "x" })).output).toMatch(/is a binary file/);
  });

  it("keeps CRLF line endings when the model sends LF", async () => {
    const out = await call("edit", {
      path: "src/crlf.ts",
      old_str: "const a = 1;\nconst b = 2;",
      new_str: "const a = 10;\nconst b = 20;",
    });
    expect(out.isError).toBe(false);
    expect(await read("src/crlf.ts")).toBe("const a = 10;\r\nconst b = 20;\r\n");
  });

  it("refuses a workflow file by default and allows it when the config says so", async () => {
    const refused = await call("edit", { path: ".github/workflows/ci.yml", old_str: "push", new_str: "pull_request" });
    expect(refused.isError).toBe(true);
    expect(refused.output).toMatch(
      /^Refused: `\.github\/workflows\/` may not be changed unless `allow_workflow_changes: true` is set in \.github\/agent\.yml\./,
    );
    expect(await read(".github/workflows/ci.yml")).toBe("on: push\n");
    const allowed = await call(
      "edit",
      { path: ".github/workflows/ci.yml", old_str: "push", new_str: "pull_request" },
      { config: { allow_workflow_changes: true } },
    );
    expect(allowed.isError).toBe(false);
    expect(await read(".github/workflows/ci.yml")).toBe("on: pull_request\n");
  });

  it("refuses a path matching a protected_paths glob", async () => {
    const out = await call(
      "edit",
      { path: "secrets/keys.txt", old_str: "k", new_str: "x" },
      { config: { protected_paths: ["secrets/**"] } },
    );
    expect(out.output).toMatch(/^Refused: `secrets\/keys\.txt` matches `secrets\/\*\*` in `protected_paths`/);
  });

  it("refuses writes outside the repository, through symlinks, into .git and through hard links", async () => {
    expect((await call("edit", { path: "../outside.txt", old_str: "a", new_str: "b" })).output).toMatch(
      /outside the repository/,
    );
    await symlink("/etc", repo.file("etc"));
    expect((await call("edit", { path: "etc/hostname", old_str: "a", new_str: "b" })).output).toMatch(
      /leads outside the repository through the symlink `etc`/,
    );
    expect((await call("edit", { path: ".git/HEAD", old_str: "main", new_str: "evil" })).output).toMatch(
      /inside `\.git\/`/,
    );
    await link(repo.file("src/math.ts"), repo.file("hard.ts"));
    expect((await call("edit", { path: "hard.ts", old_str: "ZERO", new_str: "NIL" })).output).toMatch(/is a hard link/);
  });

  it("appends the syntax errors of a broken TypeScript edit with line:col and the line", async () => {
    const out = await call("edit", {
      path: "src/math.ts",
      old_str: "  return a + b;\n}",
      new_str: "  return a + b;\n",
    });
    expect(out.output).toMatch(
      /SYNTAX ERROR \(TypeScript\) — the file does not parse now; fix it next:\n {2}\d+:\d+: '}' expected\./,
    );
  });

  it("catches a broken JSON edit", async () => {
    const out = await call("edit", { path: "config.json", old_str: '"demo",', new_str: '"demo"' });
    expect(out.output).toMatch(
      /SYNTAX ERROR \(JSON\)[^\n]*\n {2}3:3: Expected ',' or '}' after property value\n {4}3 \| {3}"version": "1\.0\.0"/,
    );
  });

  it("catches a broken YAML edit", async () => {
    const out = await call("edit", { path: "ci.yaml", old_str: "  - run: npm test", new_str: "  - run: [npm test" });
    expect(out.output).toMatch(/SYNTAX ERROR \(YAML\)[^\n]*\n {2}\d+:\d+: /);
  });

  it("catches a broken Python edit with python3", async () => {
    const out = await call("edit", { path: "app.py", old_str: "def hello():", new_str: "def hello(:" });
    expect(out.output).toMatch(/SYNTAX ERROR \(Python\)[^\n]*\n {2}1:\d+: /);
    const fixed = await call("edit", { path: "app.py", old_str: "def hello(:", new_str: "def hello():" });
    expect(fixed.output).toMatch(/syntax OK \(Python\)$/);
    await expect(stat(repo.file("__pycache__"))).rejects.toThrow(); // the check leaves nothing behind
  });
});

describe("insert", () => {
  it("inserts at the top with line 0", async () => {
    const out = await call("insert", { path: "src/math.ts", line: 0, text: "// header" });
    expect(out.output).toMatch(
      /^Inserted 1 line at the top of `src\/math\.ts`\.\n1\t\/\/ header\n2\texport function add/,
    );
    expect(out.output).toMatch(/syntax OK \(TypeScript\)$/);
    expect((await read("src/math.ts")).startsWith("// header\nexport function add")).toBe(true);
  });

  it("inserts after a given line and at the end", async () => {
    await call("insert", { path: "src/dup.ts", line: 2, text: "inserted();\nagain();\n" });
    expect(await read("src/dup.ts")).toBe("log(1);\nlog(2);\ninserted();\nagain();\nlog(1);\nlog(1);\n");
    const end = await call("insert", { path: "src/dup.ts", line: 6, text: "last();" });
    expect(end.output).toMatch(/^Inserted 1 line after line 6 of `src\/dup\.ts`\./);
    expect(await read("src/dup.ts")).toBe("log(1);\nlog(2);\ninserted();\nagain();\nlog(1);\nlog(1);\nlast();\n");
  });

  it("refuses a line past the end, saying how to append", async () => {
    expect((await call("insert", { path: "src/dup.ts", line: 9, text: "x" })).output).toBe(
      "line=9 is past the end: `src/dup.ts` has 4 lines. Use line=4 to append at the end.",
    );
  });

  it("keeps CRLF line endings", async () => {
    await call("insert", { path: "src/crlf.ts", line: 1, text: "const c = 3;" });
    expect(await read("src/crlf.ts")).toBe("const a = 1;\r\nconst c = 3;\r\nconst b = 2;\r\n");
  });

  it("refuses a protected file", async () => {
    expect((await call("insert", { path: ".github/workflows/ci.yml", line: 0, text: "# x" })).output).toMatch(
      /^Refused: `\.github\/workflows\/`/,
    );
  });
});

describe("create", () => {
  it("creates a file and its parent directories, with a syntax check", async () => {
    const out = await call("create", { path: "src/new/deep/util.ts", content: "export const x = 1;\n" });
    expect(out.output).toBe("Created `src/new/deep/util.ts`: 1 line, 20 bytes.\nsyntax OK (TypeScript)");
    expect(await read("src/new/deep/util.ts")).toBe("export const x = 1;\n");
  });

  it("refuses to overwrite an existing file unless asked", async () => {
    const refused = await call("create", { path: "src/math.ts", content: "x" });
    expect(refused.isError).toBe(true);
    expect(refused.output).toMatch(
      /^`src\/math\.ts` already exists \([\d.]+ bytes\)\. Change it with `edit`, or pass overwrite: true to replace it whole\.$/,
    );
    expect(await read("src/math.ts")).toBe(MATH);
    const replaced = await call("create", { path: "src/math.ts", content: "export {};\n", overwrite: true });
    expect(replaced.output).toMatch(
      /^Overwrote `src\/math\.ts` \(was [\d.]+ bytes\): 1 line, 11 bytes\.\nsyntax OK \(TypeScript\)$/,
    );
  });

  it("reports a broken new JSON file", async () => {
    const out = await call("create", { path: "data.json", content: '{"a": 1,}' });
    expect(out.output).toMatch(/SYNTAX ERROR \(JSON\)/);
  });

  it("refuses content over the max_file_kb limit", async () => {
    const out = await call("create", { path: "big.txt", content: "x".repeat(3_000) }, { config: { max_file_kb: 2 } });
    expect(out.output).toBe(
      "Refused: `big.txt` would be 2.9 KB, over the 2.0 KB limit for files (`max_file_kb` in .github/agent.yml).",
    );
    await expect(stat(repo.file("big.txt"))).rejects.toThrow();
  });

  it("refuses a workflow file, writes into .git, and paths outside", async () => {
    expect((await call("create", { path: ".github/workflows/evil.yml", content: "on: push\n" })).output).toMatch(
      /^Refused: `\.github\/workflows\/`/,
    );
    expect((await call("create", { path: ".git/hooks/post-checkout", content: "#!/bin/sh\n" })).output).toMatch(
      /inside `\.git\/`/,
    );
    expect((await call("create", { path: "/tmp/issuesmith-escape.txt", content: "x" })).output).toMatch(
      /outside the repository/,
    );
    await expect(stat("/tmp/issuesmith-escape.txt")).rejects.toThrow();
  });

  it("refuses a path whose parent is a file", async () => {
    expect((await call("create", { path: "src/math.ts/inner.ts", content: "x" })).output).toBe(
      "Could not write `src/math.ts/inner.ts`: a parent of it is a file, not a directory.",
    );
  });
});
