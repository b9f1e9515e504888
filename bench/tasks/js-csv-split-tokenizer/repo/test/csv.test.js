import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCsv } from "../src/csv.js";

test("parses plain fields", () => {
  assert.deepEqual(parseCsv("a,b\n1,2\n"), [{ a: "1", b: "2" }]);
});

test("parses quoted fields with commas and doubled quotes", () => {
  assert.deepEqual(parseCsv('name,quote\nAda,"Hello, ""world"""'), [{ name: "Ada", quote: 'Hello, "world"' }]);
});

test("keeps empty fields", () => {
  assert.deepEqual(parseCsv("a,b,c\n,2,\n"), [{ a: "", b: "2", c: "" }]);
});

test("maps rows to objects by the header", () => {
  assert.deepEqual(parseCsv("x,y\r\n1,2\r\n3,4"), [{ x: "1", y: "2" }, { x: "3", y: "4" }]);
});

test("rejects an unterminated quote", () => {
  assert.throws(() => parseCsv('a\n"oops'), /unterminated quote/);
});
