import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration } from "../src/duration.js";

test("formats milliseconds as the largest units", () => {
  assert.equal(formatDuration(5_400_000), "1h30m");
  assert.equal(formatDuration(90_061_001), "1d1h1m1s1ms");
  assert.equal(formatDuration(0), "0ms");
});
