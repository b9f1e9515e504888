import { test } from "node:test";
import assert from "node:assert/strict";
import { splitAmount, type Money } from "../src/money.ts";

const eur = (cents: number): Money => ({ cents, currency: "EUR" });

test("splits an even amount evenly", () => {
  assert.deepEqual(splitAmount(eur(900), 3), [eur(300), eur(300), eur(300)]);
});

test("refuses a split into no parts", () => {
  assert.throws(() => splitAmount(eur(100), 0), RangeError);
});
