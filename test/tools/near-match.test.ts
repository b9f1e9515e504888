import { describe, expect, it } from "vitest";
import { findNearMatches } from "../../src/tools/near-match.ts";

describe("findNearMatches", () => {
  it("finds text that differs only in whitespace, across lines", () => {
    const text = "a\nfunction f(x) {\n    return x;\n}\nb\n";
    expect(findNearMatches(text, "function f(x) {\n  return x;\n}")).toEqual([
      { startLine: 2, endLine: 4, score: 1, kind: "whitespace" },
    ]);
  });

  it("ranks the most similar windows first and does not return overlapping ones", () => {
    const text = [
      "const alpha = 1;",
      "const beta = 2;",
      "const gamma = 3;",
      "",
      "function unrelated() {}",
      "const alpha = 10;",
    ].join("\n");
    const near = findNearMatches(text, "let gamma = 3;");
    expect(near[0]).toMatchObject({ startLine: 3, kind: "similar" });
    const multi = findNearMatches(text, "const beta = 2;\nconst gamma = 4;");
    expect(multi[0]).toMatchObject({ startLine: 2, endLine: 3 });
    for (const [i, a] of multi.entries())
      for (const b of multi.slice(i + 1)) expect(a.endLine < b.startLine || b.endLine < a.startLine).toBe(true);
  });

  it("still finds the right place in a large file with a long needle (sampled scoring)", () => {
    const lines = Array.from(
      { length: 6_000 },
      (_, i) => `  value_${i} = compute(${i}, "${"abcdefghij".slice(i % 10)}");`,
    );
    const needle = lines
      .slice(3_000, 3_100)
      .join("\n")
      .replace("compute(3050,", "compute(3050 ,")
      .replace(/ {2}value_3000/, "\tvalue_3000x");
    const near = findNearMatches(lines.join("\n"), needle);
    expect(near[0]?.startLine).toBe(3_001);
  });

  it("returns nothing for text unlike the file", () => {
    expect(findNearMatches("hello world\n", "zzzz qqqq")).toEqual([]);
  });
});
