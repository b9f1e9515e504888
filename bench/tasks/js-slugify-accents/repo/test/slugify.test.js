import { test } from "node:test";
import assert from "node:assert/strict";
import { slugify } from "../src/slugify.js";

test("lower-cases and joins words with dashes", () => {
  assert.equal(slugify("Hello World"), "hello-world");
});

test("trims separators at both ends", () => {
  assert.equal(slugify("  -Hello-  "), "hello");
});
