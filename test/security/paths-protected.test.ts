import { describe, expect, it } from "vitest";
import { repoConfigSchema } from "../../src/config/repo-config.ts";
import { findProtectedChanges, protectedPathMatcher } from "../../src/security/protected-paths.ts";

const config = (value: Record<string, unknown> = {}) => repoConfigSchema.parse(value);

describe("protectedPathMatcher", () => {
  it("refuses workflow files by default, naming the setting that allows them", () => {
    const reason = protectedPathMatcher(config())(".github/workflows/ci.yml");
    expect(reason).toBe(
      "`.github/workflows/` may not be changed unless `allow_workflow_changes: true` is set in .github/agent.yml",
    );
    expect(protectedPathMatcher(config())("./.github/workflows/sub/deploy.yaml")).toBeDefined();
    expect(protectedPathMatcher(config())(".github/workflows")).toBeDefined();
  });

  it("allows workflow files when allow_workflow_changes is true", () => {
    expect(protectedPathMatcher(config({ allow_workflow_changes: true }))(".github/workflows/ci.yml")).toBeUndefined();
  });

  it("leaves other files under .github alone", () => {
    const m = protectedPathMatcher(config());
    expect(m(".github/CODEOWNERS")).toBeUndefined();
    expect(m(".github/workflows-notes.md")).toBeUndefined();
    expect(m("src/index.ts")).toBeUndefined();
  });

  it("refuses every protected_paths glob, naming the glob", () => {
    const m = protectedPathMatcher(
      config({ protected_paths: ["secrets/**", "*.pem", "vendor/", "docs", "config/*.json"] }),
    );
    expect(m("secrets/prod/key.txt")).toBe(
      "`secrets/prod/key.txt` matches `secrets/**` in `protected_paths` of .github/agent.yml and may not be changed",
    );
    expect(m("deploy/certs/server.pem")).toMatch(/matches `\*\.pem`/); // a pattern without a slash matches in any directory
    expect(m("vendor/lib/a.js")).toMatch(/matches `vendor\/`/);
    expect(m("docs/guide/intro.md")).toMatch(/matches `docs`/); // a directory protects what is below it
    expect(m("config/app.json")).toMatch(/matches `config\/\*\.json`/);
    expect(m("config/app.yaml")).toBeUndefined();
    expect(m("src/vendor.ts")).toBeUndefined();
  });

  it("matches dotfiles with globs", () => {
    const m = protectedPathMatcher(config({ protected_paths: ["**/*.env"] }));
    expect(m(".env")).toBeDefined();
    expect(m("services/api/.env")).toBeDefined();
  });
});

describe("findProtectedChanges", () => {
  it("lists each protected change of a diff with its reason, and nothing else", () => {
    const changed = ["src/a.ts", ".github/workflows/ci.yml", "infra/main.tf", "README.md"];
    expect(findProtectedChanges(changed, config({ protected_paths: ["infra/**"] }))).toEqual([
      { path: ".github/workflows/ci.yml", reason: expect.stringContaining("allow_workflow_changes") },
      { path: "infra/main.tf", reason: expect.stringContaining("`infra/**`") },
    ]);
    expect(findProtectedChanges(changed, config({ allow_workflow_changes: true }))).toEqual([]);
  });
});

describe("the app's own config", () => {
  it("may not be changed by the agent unless workflow changes are allowed", () => {
    const reason = protectedPathMatcher({ allow_workflow_changes: false, protected_paths: [] });
    expect(reason(".github/agent.yml")).toMatch(/issuesmith's own settings/);
    expect(reason(".github/agent.yml.bak")).toBeUndefined();
    expect(
      protectedPathMatcher({ allow_workflow_changes: true, protected_paths: [] })(".github/agent.yml"),
    ).toBeUndefined();
  });
});
