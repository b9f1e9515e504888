// Error messages and file names go into comments as code spans: no text may end its span early.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inlineCode } from "../../src/shared/markdown.ts";

describe("inlineCode", () => {
  it("fences any text with more backticks than any run inside it, on one line", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("`", "a", " ", "\n", "*", "_", "<", "\\") }), (text) => {
        const span = inlineCode(text);
        const fence = /^`+/.exec(span)![0];
        expect(span.endsWith(fence)).toBe(true);
        const inner = span.slice(fence.length, span.length - fence.length);
        // CommonMark: the span ends at the first backtick run exactly as long as its opening one.
        expect((inner.match(/`+/g) ?? []).every((run) => run.length !== fence.length)).toBe(true);
        expect(span).not.toMatch(/\n/);
        expect(inner.trim().length === 0 || inner.includes(text.replace(/[\r\n]+/g, " ").trim())).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("leaves plain text as a plain span", () => {
    expect(inlineCode("budget.steps: too big")).toBe("`budget.steps: too big`");
    expect(inlineCode("unknown key `x`")).toBe("`` unknown key `x` ``");
  });
});
