import { test } from "node:test";
import assert from "node:assert/strict";
import { LRUCache } from "../src/lru.js";

test("returns what was set", () => {
  const c = new LRUCache(2);
  c.set("a", 1);
  assert.equal(c.get("a"), 1);
  assert.equal(c.get("b"), undefined);
  assert.equal(c.size, 1);
});

test("evicts the least recently used entry", () => {
  const c = new LRUCache(2);
  c.set("a", 1).set("b", 2).set("c", 3);
  assert.equal(c.get("a"), undefined);
  assert.equal(c.get("b"), 2);
  assert.equal(c.get("c"), 3);
  assert.equal(c.size, 2);
});

test("a get refreshes an entry", () => {
  const c = new LRUCache(2);
  c.set("a", 1).set("b", 2);
  c.get("a");
  c.set("c", 3);
  assert.equal(c.get("a"), 1);
  assert.equal(c.get("b"), undefined);
});

test("set on an existing key updates it and refreshes it", () => {
  const c = new LRUCache(2);
  c.set("a", 1).set("b", 2).set("a", 10).set("c", 3);
  assert.equal(c.get("a"), 10);
  assert.equal(c.get("b"), undefined);
  assert.equal(c.size, 2);
});
