import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/shared/duration.ts";

describe("formatDuration", () => {
  it("writes under a second in milliseconds", () => {
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(420.4)).toBe("420 ms");
  });

  it("writes under ten seconds with one decimal, dropping a trailing .0", () => {
    expect(formatDuration(1000)).toBe("1 s");
    expect(formatDuration(800 + 700)).toBe("1.5 s");
    expect(formatDuration(9_940)).toBe("9.9 s");
  });

  it("writes whole seconds up to a minute, then minutes and seconds, then hours and minutes", () => {
    expect(formatDuration(42_400)).toBe("42 s");
    expect(formatDuration(95_000)).toBe("1 min 35 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(3_720_000)).toBe("1 h 2 min");
    expect(formatDuration(7_200_000)).toBe("2 h");
  });
});
