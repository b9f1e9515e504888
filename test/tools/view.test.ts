import { mkdir, symlink, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { makeContext, makeRepo, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
const registry = createRegistry(defaultTools());
const lines = (n: number, prefix = "line") =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join("\n") + "\n";

beforeAll(async () => {
  repo = await makeRepo({
    "src/big.ts": lines(1234),
    "src/small.ts": "const a = 1;\nconst b = 2;\n",
    "src/empty.txt": "",
    "src/crlf.txt": "one\r\ntwo\r\n",
    "src/long-line.js": `const s = "${"x".repeat(5_000)}";\n`,
    "src/wide.txt": Array.from({ length: 150 }, (_, i) => `${i}:${"y".repeat(190)}`).join("\n"),
    "assets/logo.png": Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]),
    "node_modules/dep/index.js": "module.exports = 1;\n",
    "docs/guide/deep/er/note.md": "# note\n",
    "README.md": "# Project\n",
  });
  await mkdir(repo.file("many"));
  for (let i = 0; i < 450; i++) await writeFile(repo.file(`many/f${String(i).padStart(3, "0")}.txt`), "");
  await symlink("/etc", repo.file("etc-link"));
});
afterAll(() => repo.cleanup());

const view = (args: Record<string, unknown>) =>
  registry.call({ name: "view", arguments: JSON.stringify(args) }, makeContext(repo));

describe("view a file", () => {
  it("shows the first 200 lines with numbers, the total, and how to see more", async () => {
    const out = await view({ path: "src/big.ts" });
    expect(out.isError).toBe(false);
    const [header, ...body] = out.output.split("\n");
    expect(header).toBe("src/big.ts — lines 1–200 of 1,234; view with start=201 for more");
    expect(body).toHaveLength(200);
    expect(body[0]).toBe("  1\tline 1");
    expect(body[199]).toBe("200\tline 200");
  });

  it("shows a window from start to end", async () => {
    const out = await view({ path: "src/big.ts", start: 1230, end: 1300 });
    expect(out.output.split("\n")[0]).toBe("src/big.ts — lines 1,230–1,234 of 1,234; end of file");
    expect(out.output).toContain("1234\tline 1234");
    const mid = await view({ path: "src/big.ts", start: 500, end: 502 });
    expect(mid.output).toBe(
      "src/big.ts — lines 500–502 of 1,234; view with start=503 for more\n500\tline 500\n501\tline 501\n502\tline 502",
    );
  });

  it("shows a short file whole", async () => {
    expect((await view({ path: "src/small.ts" })).output).toBe(
      "src/small.ts — lines 1–2 of 2\n1\tconst a = 1;\n2\tconst b = 2;",
    );
  });

  it("says where the file ends when start is past it", async () => {
    const out = await view({ path: "src/small.ts", start: 10 });
    expect(out.isError).toBe(true);
    expect(out.output).toBe("start=10 is past the end: `src/small.ts` has 2 lines. View with start=1 to see its end.");
  });

  it("refuses end before start", async () => {
    expect((await view({ path: "src/big.ts", start: 10, end: 5 })).output).toBe("end=5 is before start=10.");
  });

  it("says a file is empty", async () => {
    expect((await view({ path: "src/empty.txt" })).output).toBe("src/empty.txt is empty (0 lines).");
  });

  it("shows CRLF lines without the carriage return", async () => {
    expect((await view({ path: "src/crlf.txt" })).output).toBe("src/crlf.txt — lines 1–2 of 2\n1\tone\n2\ttwo");
  });

  it("clips a very long line, saying how long it was", async () => {
    const out = await view({ path: "src/long-line.js" });
    expect(out.output).toMatch(/… \[line clipped: 5,013 characters\]$/);
    expect(out.output.length).toBeLessThan(2_200);
  });

  it("shortens the window rather than overflow the output limit, and says where to continue", async () => {
    const out = await view({ path: "src/wide.txt" });
    const header = out.output.split("\n")[0]!;
    expect(header).toMatch(
      /^src\/wide\.txt — lines 1–(\d+) of 150 \(window shortened to fit the output limit\); view with start=(\d+) for more$/,
    );
    const [, last, next] = /lines 1–(\d+).*start=(\d+)/.exec(header)!;
    expect(Number(next)).toBe(Number(last) + 1);
    expect(out.output).not.toContain("characters cut");
  });

  it("refuses a binary file with a message", async () => {
    const out = await view({ path: "assets/logo.png" });
    expect(out.isError).toBe(true);
    expect(out.output).toBe(
      "`assets/logo.png` is a binary file (16 bytes); the file tools show and edit text only. Inspect it with `shell` (e.g. `file assets/logo.png`) if you must.",
    );
  });

  it("refuses paths outside the repository and through symlinks", async () => {
    expect((await view({ path: "../x" })).output).toMatch(/is outside the repository/);
    expect((await view({ path: "/etc/passwd" })).output).toMatch(/`\/etc\/passwd` is outside the repository/);
    const link = await view({ path: "etc-link/passwd" });
    expect(link.isError).toBe(true);
    expect(link.output).toMatch(/leads outside the repository through the symlink `etc-link`/);
    expect(link.output).not.toContain("root:");
    expect((await view({ path: ".git/config" })).output).toMatch(/inside `\.git\/`/);
  });

  it("says a missing file does not exist", async () => {
    expect((await view({ path: "src/nope.ts" })).output).toMatch(/^`src\/nope\.ts` does not exist\./);
  });
});

describe("view a directory", () => {
  it("lists two levels, marking directories and not listing heavy ones or .git", async () => {
    const out = await view({});
    const text = out.output;
    expect(text.split("\n")[0]).toBe(".");
    expect(text).toContain("  src/\n");
    expect(text).toContain("    big.ts\n");
    expect(text).toContain("  node_modules/ (not listed)");
    expect(text).toContain("  .git/ (not listed)");
    expect(text).not.toContain("dep/");
    expect(text).not.toContain("HEAD");
    expect(text).toContain("    guide/ …"); // docs/guide is below depth 2
    expect(text).toContain("  etc-link@");
    expect(text).not.toContain("passwd");
  });

  it("goes deeper with depth", async () => {
    const out = await view({ path: "docs", depth: 4 });
    expect(out.output).toBe(
      [
        "docs/",
        "  guide/",
        "    deep/",
        "      er/",
        "        note.md",
        "(`/` marks directories, `@` symlinks, `…` directories not expanded: view them, or raise `depth`)",
      ].join("\n"),
    );
  });

  it("caps the number of entries and says how many were left out", async () => {
    const out = await view({ path: "many" });
    expect(out.output).toContain("  f000.txt");
    expect(out.output).toContain("  f399.txt");
    expect(out.output).not.toContain("f400.txt");
    expect(out.output).toContain('  … 50 more entries not shown (find names with `search` (mode: "files"))');
  });

  it("lists big subdirectories in part, saying how many entries each left out", async () => {
    const out = await view({});
    expect(out.output).toContain("    f049.txt\n    … 400 more entries not shown (view this directory to see them)");
    expect(out.output).not.toContain("f050.txt");
  });
});
