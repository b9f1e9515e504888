import { test } from "node:test";
import assert from "node:assert/strict";
import { SettingError, readSettings } from "../src/settings.ts";

test("reads every setting", () => {
  assert.deepEqual(readSettings({ PORT: " 3000 ", DEBUG: "Yes", TIMEOUT_MS: "0", HOSTS: " a.example, ,b.example," }), {
    port: 3000,
    debug: true,
    timeoutMs: 0,
    hosts: ["a.example", "b.example"],
  });
});

test("uses defaults for missing settings", () => {
  assert.deepEqual(readSettings({}), { port: 8080, debug: false, timeoutMs: 30000, hosts: ["localhost"] });
});

test("names the setting and the value in every error", () => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: "0" }, 'PORT: expected a whole number from 1 to 65535, got "0"'],
    [{ PORT: "80.5" }, 'PORT: expected a whole number from 1 to 65535, got "80.5"'],
    [{ DEBUG: "maybe" }, 'DEBUG: expected true or false, got "maybe"'],
    [{ TIMEOUT_MS: "-1" }, 'TIMEOUT_MS: expected a whole number from 0 to 600000, got "-1"'],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => readSettings(env), (err) => err instanceof SettingError && err.message === message);
  }
});
