import { test } from "node:test";
import assert from "node:assert/strict";
import { Emitter } from "../src/emitter.ts";

type Events = { data: [string]; count: [number, boolean] };

test("on calls handlers with the event's arguments", () => {
  const e = new Emitter<Events>();
  const seen: unknown[] = [];
  e.on("count", (n, flag) => seen.push([n, flag]));
  e.emit("count", 2, true);
  e.emit("count", 3, false);
  assert.deepEqual(seen, [[2, true], [3, false]]);
});

test("the function on returns unsubscribes", () => {
  const e = new Emitter<Events>();
  let calls = 0;
  const stop = e.on("data", () => calls++);
  e.emit("data", "a");
  stop();
  e.emit("data", "b");
  assert.equal(calls, 1);
  assert.equal(e.listenerCount("data"), 0);
});
