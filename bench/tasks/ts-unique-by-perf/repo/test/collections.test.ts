import { test } from "node:test";
import assert from "node:assert/strict";
import { uniqueBy } from "../src/collections.ts";

interface Row {
  id: number | string;
  name: string;
}

test("keeps the first item of each key, in order", () => {
  const rows: Row[] = [
    { id: 2, name: "b" },
    { id: 1, name: "a" },
    { id: 2, name: "b again" },
    { id: 3, name: "c" },
    { id: 1, name: "a again" },
  ];
  assert.deepEqual(
    uniqueBy(rows, (r) => r.id).map((r) => r.name),
    ["b", "a", "c"],
  );
});

test('treats the number 1 and the string "1" as different keys', () => {
  const rows: Row[] = [
    { id: 1, name: "number" },
    { id: "1", name: "string" },
  ];
  assert.equal(uniqueBy(rows, (r) => r.id).length, 2);
});

test("returns an empty array for no items", () => {
  assert.deepEqual(uniqueBy([], (x: Row) => x.id), []);
});
