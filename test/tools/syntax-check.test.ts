import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSyntax, formatSyntaxResult } from "../../src/tools/syntax-check.ts";
import { DirectRunner } from "../../src/workspace/sandbox.ts";
import { makeRepo, type TestRepo } from "./helpers.ts";

let repo: TestRepo;
beforeAll(async () => {
  repo = await makeRepo({ "ok.py": "x = 1\n", "bad.py": "def f(:\n    pass\n" }, { git: false });
});
afterAll(() => repo.cleanup());

describe("checkSyntax", () => {
  it("passes valid TypeScript, TSX, JavaScript with JSX, and modules", async () => {
    expect(await checkSyntax("a.ts", "export const x: number = 1;\n")).toEqual({
      language: "TypeScript",
      problems: [],
    });
    expect(await checkSyntax("a.tsx", "export const C = () => <div className='x'>{1}</div>;\n")).toEqual({
      language: "TypeScript",
      problems: [],
    });
    expect(await checkSyntax("a.jsx", "export const C = () => <b>hi</b>;\n")).toEqual({
      language: "JavaScript",
      problems: [],
    });
    expect(await checkSyntax("a.mjs", "import x from 'y';\nexport default x;\n")).toEqual({
      language: "JavaScript",
      problems: [],
    });
  });

  it("reports TypeScript parse errors with line and column, but not type errors", async () => {
    const broken = await checkSyntax("a.ts", "const a = 1;\nconst b = ;\n");
    expect(broken?.problems).toEqual([{ line: 2, column: 11, message: "Expression expected." }]);
    expect((await checkSyntax("a.ts", "const a: number = 'not a number';\n"))?.problems).toEqual([]);
  });

  it("checks JSON strictly, and tsconfig-style files as JSON with comments", async () => {
    expect((await checkSyntax("package.json", '{"a": 1,}'))?.problems[0]).toMatchObject({ line: 1, column: 9 });
    expect((await checkSyntax("tsconfig.json", '{\n  // comment\n  "compilerOptions": {},\n}\n'))?.problems).toEqual(
      [],
    );
    expect((await checkSyntax("tsconfig.json", '{\n  "a": 1\n  "b": 2\n}\n'))?.problems[0]).toMatchObject({
      line: 3,
      message: "',' expected.",
    });
    expect((await checkSyntax("empty.json", ""))?.problems[0]?.message).toBe("empty file is not valid JSON");
  });

  it("checks every document of a YAML file and ignores unknown tags", async () => {
    expect((await checkSyntax("a.yml", "a: 1\n---\nb: [1, 2]\n"))?.problems).toEqual([]);
    expect((await checkSyntax("cf.yaml", "x: !Ref Foo\n"))?.problems).toEqual([]);
    const dup = await checkSyntax("a.yaml", "a: 1\na: 2\n");
    expect(dup?.problems).toEqual([{ line: 2, column: 1, message: "Map keys must be unique" }]);
  });

  it("checks Python through the runner when python3 exists, writing no bytecode", async () => {
    const python = { runner: new DirectRunner(), workspace: repo.workspace };
    expect(await checkSyntax("ok.py", "x = 1\n", python)).toEqual({ language: "Python", problems: [] });
    const bad = await checkSyntax("bad.py", "", python);
    expect(bad?.language).toBe("Python");
    expect(bad?.problems[0]).toMatchObject({ line: 1 });
  });

  it("has no checker for other languages, or for Python without a runner", async () => {
    expect(await checkSyntax("README.md", "# x")).toBeUndefined();
    expect(await checkSyntax("main.go", "package main")).toBeUndefined();
    expect(await checkSyntax("x.py", "def (")).toBeUndefined();
  });
});

describe("formatSyntaxResult", () => {
  it("says syntax OK, or lists problems with line:col and the offending line", () => {
    expect(formatSyntaxResult({ language: "JSON", problems: [] }, "{}")).toBe("syntax OK (JSON)");
    expect(
      formatSyntaxResult({ language: "JSON", problems: [{ line: 2, column: 3, message: "bad" }] }, "{\n  x\n}"),
    ).toBe("SYNTAX ERROR (JSON) — the file does not parse now; fix it next:\n  2:3: bad\n    2 |   x");
    expect(formatSyntaxResult(undefined, "")).toBe("");
  });

  it("shows at most five problems and counts the rest", () => {
    const problems = Array.from({ length: 8 }, (_, i) => ({ line: i + 1, column: 1, message: `p${i}` }));
    const text = formatSyntaxResult({ language: "TypeScript", problems }, "a\nb\nc\nd\ne\nf\ng\nh");
    expect(text).toContain("  5:1: p4");
    expect(text).not.toContain("p5");
    expect(text.endsWith("  … and 3 more")).toBe(true);
  });
});
