import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRegistry, defaultTools } from "../../src/tools/registry.ts";
import { setRipgrepAvailable } from "../../src/tools/ripgrep.ts";
import { makeContext, makeRepo, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
const registry = createRegistry(defaultTools());

beforeAll(async () => {
  const many = Array.from({ length: 150 }, (_, i) => `export const item${i} = "needle ${i}";`).join("\n") + "\n";
  repo = await makeRepo({
    "src/math.ts":
      "export function add(a: number, b: number) {\n  return a + b;\n}\n\nexport function Sub(a: number, b: number) {\n  return a - b;\n}\n",
    "src/util/strings.ts": "export const greet = (name: string) => `Hello ${name}`; // add(1, 2)\n",
    "src/many.ts": many,
    "docs/intro.md": "Use add() to add numbers.\n",
    "lib/long.js": `var x = "${"q".repeat(2_000)}MARKER";\n`,
    ".gitignore": "generated/\n",
    "generated/out.ts": "export function add() {}\n",
    ".github/workflows/ci.yml": "run: npm test # add\n",
    "tests/math.test.ts": "import { add } from '../src/math';\n",
  });
});
afterAll(() => repo.cleanup());
afterEach(() => setRipgrepAvailable(undefined));

const search = (args: Record<string, unknown>) =>
  registry.call({ name: "search", arguments: JSON.stringify(args) }, makeContext(repo));

describe("search content", () => {
  it("groups matching lines by file with line numbers, sorted, respecting .gitignore and skipping .git", async () => {
    const out = await search({ pattern: "function add" });
    expect(out.isError).toBe(false);
    expect(out.output).toBe(
      "1 matching line in 1 file for /function add/ in the repository (ripgrep):\nsrc/math.ts\n  1: export function add(a: number, b: number) {",
    );
  });

  it("finds hidden files such as workflows", async () => {
    const out = await search({ pattern: "# add" });
    expect(out.output).toContain(".github/workflows/ci.yml\n  1: run: npm test # add");
  });

  it("caps the hits and says how many more there are", async () => {
    const out = await search({ pattern: "needle \\d+", max_results: 20 });
    expect(out.output.split("\n")[0]).toBe(
      "20 of 150 matching lines for /needle \\d+/ in the repository (ripgrep); narrow with path, glob or a more specific pattern to see the rest:",
    );
    expect(out.output).toContain("  1: export const item0");
    expect(out.output).toContain("  20: export const item19");
    expect(out.output).not.toContain("item20 ");
  });

  it("matches regardless of case when asked", async () => {
    expect((await search({ pattern: "function sub" })).output).toMatch(/^No matches/);
    expect((await search({ pattern: "function sub", ignore_case: true })).output).toContain(
      "  5: export function Sub(",
    );
  });

  it("limits the search to a path and a glob", async () => {
    const inSrc = await search({ pattern: "add", path: "src/util" });
    expect(inSrc.output).toMatch(/in `src\/util` \(ripgrep\):\nsrc\/util\/strings\.ts\n  1: /);
    const onlyMd = await search({ pattern: "add", glob: "*.md" });
    expect(onlyMd.output).toBe(
      "1 matching line in 1 file for /add/ in the repository (ripgrep):\ndocs/intro.md\n  1: Use add() to add numbers.",
    );
  });

  it("explains an invalid regular expression and suggests literal", async () => {
    const out = await search({ pattern: "add(" });
    expect(out.isError).toBe(true);
    expect(out.output).toMatch(
      /^The search pattern is not valid:\nregex parse error:[\s\S]*unclosed group[\s\S]*pass literal: true/,
    );
    const literal = await search({ pattern: "add(", literal: true });
    expect(literal.output).toMatch(/^3 matching lines in 3 files for "add\(" in the repository/);
  });

  it("clips very long matching lines", async () => {
    const out = await search({ pattern: "MARKER" });
    expect(out.output).toContain("lib/long.js");
    expect(out.output.length).toBeLessThan(800);
  });

  it("says plainly when nothing matches, with what to try", async () => {
    const out = await search({ pattern: "nothing-like-this" });
    expect(out.isError).toBe(false);
    expect(out.output).toBe(
      'No matches for /nothing-like-this/ in the repository. Try ignore_case: true, a shorter pattern, literal: true for text with special characters, or mode: "files" to look for file names.',
    );
  });

  it("refuses a path outside the repository", async () => {
    expect((await search({ pattern: "root", path: "/etc" })).output).toMatch(/outside the repository/);
    expect((await search({ pattern: "x", path: ".git" })).output).toMatch(/inside `\.git\/`/);
  });
});

describe("search file names", () => {
  it("finds files by glob in any directory", async () => {
    const out = await search({ pattern: "*.test.ts", mode: "files" });
    expect(out.output).toBe('1 file matching "*.test.ts" in the repository (ripgrep):\ntests/math.test.ts');
  });

  it("finds files by a part of their name, ignoring case unless it has capitals, and skips ignored files", async () => {
    const out = await search({ pattern: "MATH", mode: "files", ignore_case: true });
    expect(out.output).toBe('2 files matching "MATH" in the repository (ripgrep):\nsrc/math.ts\ntests/math.test.ts');
    expect((await search({ pattern: "out.ts", mode: "files" })).output).toMatch(
      /^No files have a name containing "out\.ts"/,
    );
  });

  it("finds files by a glob with directories", async () => {
    const out = await search({ pattern: "src/**/*.ts", mode: "files" });
    expect(out.output.split("\n").slice(1)).toEqual(["src/many.ts", "src/math.ts", "src/util/strings.ts"]);
  });
});

describe("search without ripgrep", () => {
  it("falls back to git grep for content, with the same shape", async () => {
    setRipgrepAvailable(false);
    const out = await search({ pattern: "function add" });
    expect(out.output).toBe(
      "1 matching line in 1 file for /function add/ in the repository (git grep):\nsrc/math.ts\n  1: export function add(a: number, b: number) {",
    );
    const globbed = await search({ pattern: "add", glob: "*.md" });
    expect(globbed.output).toContain("docs/intro.md\n  1: Use add() to add numbers.");
    expect(globbed.output).not.toContain("src/");
  });

  it("falls back to git ls-files for file names", async () => {
    setRipgrepAvailable(false);
    const out = await search({ pattern: "*.test.ts", mode: "files" });
    expect(out.output).toBe('1 file matching "*.test.ts" in the repository (git ls-files):\ntests/math.test.ts');
  });

  it("explains an invalid pattern from git grep too", async () => {
    setRipgrepAvailable(false);
    const out = await search({ pattern: "add(" });
    expect(out.isError).toBe(true);
    expect(out.output).toMatch(/^The search pattern is not valid:\n.*(parenthes|\(|unmatched)/i);
  });
});
