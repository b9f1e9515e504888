import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_REPO_CONFIG,
  MAX_ATTEMPTS,
  budgetSchema,
  parseAttemptsFlag,
  parseRepoConfigText,
  permissionAtLeast,
  repoConfigSchema,
} from "../../src/config/repo-config.ts";

describe(".github/agent.yml", () => {
  it("defaults everything when the file is empty or absent", () => {
    expect(parseRepoConfigText("")).toEqual({ config: DEFAULT_REPO_CONFIG, errors: [] });
    expect(DEFAULT_REPO_CONFIG).toMatchObject({
      label: "agent",
      command: "/agent",
      permission: "write",
      allow_workflow_changes: false,
      budget: { steps: 60, test_rounds: 2 },
    });
  });

  it("reads a valid file", () => {
    const { config, errors } = parseRepoConfigText(
      "test: npm test\nsetup: null\nbudget:\n  steps: 10\nprotected_paths: ['*.pem']\n",
    );
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      test: "npm test",
      setup: null,
      budget: { steps: 10, tokens: 3_000_000 },
      protected_paths: ["*.pem"],
    });
  });

  it("reports every problem at once, naming the field", () => {
    const { config, errors } = parseRepoConfigText(
      "budget:\n  steps: 0\n  tokenz: 5\npermission: god\ncommand: agent\nlabel: ''\n",
    );
    expect(config).toEqual(DEFAULT_REPO_CONFIG);
    expect(errors).toHaveLength(5);
    expect(errors.join("\n")).toMatch(/budget\.steps/);
    expect(errors.join("\n")).toMatch(/budget: unknown key `tokenz`/);
    expect(errors.join("\n")).toMatch(/permission/);
    expect(errors.join("\n")).toMatch(/command: must look like \/agent/);
  });

  it("says what is wrong with YAML that does not parse, or is not a mapping", () => {
    expect(parseRepoConfigText("test: [unclosed").errors[0]).toMatch(/^not valid YAML/);
    expect(parseRepoConfigText("- a\n- b\n").errors[0]).toMatch(/must be a YAML mapping/);
    expect(parseRepoConfigText("!!binary aGVsbG8=\n").errors).toEqual([
      "the file must be a YAML mapping (key: value), not binary data",
    ]);
    expect(parseRepoConfigText("!!set { a, b }\n").errors).toEqual([
      "the file must be a YAML mapping (key: value), not a set",
    ]);
  });

  it("names a key that is a whole collection on one line", () => {
    // `? {…}` makes a key of a mapping, which arrives stringified over several lines.
    expect(parseRepoConfigText("? { a: 1, b: [2, 3] }\n: x\n").errors).toEqual([
      "(top level): unknown key `{ a: 1, b: [ 2, 3 ] }`",
    ]);
    expect(parseRepoConfigText(`? ${"k".repeat(200)}\n: x\n`).errors[0]).toBe(
      `(top level): unknown key \`${"k".repeat(77)}...\``,
    );
  });

  it("orders permissions", () => {
    expect(permissionAtLeast("admin", "write")).toBe(true);
    expect(permissionAtLeast("triage", "write")).toBe(false);
    expect(permissionAtLeast("none", "read")).toBe(false);
    expect(permissionAtLeast(undefined, "read")).toBe(false);
  });

  it("documents every key in the README", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const key of Object.keys(repoConfigSchema.shape))
      if (key !== "budget") expect(readme, key).toContain(`| \`${key}\``);
    for (const key of Object.keys(budgetSchema.shape)) expect(readme, key).toContain(`| \`budget.${key}\``);
  });
});

describe("attempts", () => {
  it("is 1 by default, takes up to MAX_ATTEMPTS and names the cap beyond it", () => {
    expect(DEFAULT_REPO_CONFIG.attempts).toBe(1);
    expect(parseRepoConfigText("attempts: 3\n").config.attempts).toBe(3);
    expect(parseRepoConfigText(`attempts: ${MAX_ATTEMPTS + 1}\n`).errors).toEqual([
      `attempts: at most ${MAX_ATTEMPTS} attempts (each is a whole run of the model)`,
    ]);
    expect(parseRepoConfigText("attempts: 0\n").errors).toHaveLength(1);
    expect(parseRepoConfigText("attempts: 1.5\n").errors).toHaveLength(1);
  });

  it("--attempts takes a whole number from 1 to MAX_ATTEMPTS, and says so otherwise", () => {
    expect(parseAttemptsFlag("2")).toEqual({ ok: true, attempts: 2 });
    for (const bad of ["0", "6", "2.5", "-1", "many", "1e1", "999999"]) {
      const r = parseAttemptsFlag(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toContain(`from 1 to ${MAX_ATTEMPTS}`);
    }
  });
});
