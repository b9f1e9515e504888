import { describe, expect, it } from "vitest";
import { assessTrust, referencedPaths } from "../../src/security/trust.ts";

const verdict = (changed: string[], extra: Partial<Parameters<typeof assessTrust>[0]> = {}) =>
  assessTrust({ changed, testCommand: "npm test", setupCommand: "npm ci", ...extra });

describe("the trust boundary's rules", () => {
  it("counts a change to source and tests as neither test nor install machinery", () => {
    expect(verdict(["src/sum.js", "test/sum.test.js", "README.md", "docs/guide.md"])).toEqual({
      testMachinery: [],
      installMachinery: [],
    });
  });

  it("counts package.json as both: it holds the test script and the lifecycle scripts", () => {
    expect(verdict(["package.json"])).toEqual({ testMachinery: ["package.json"], installMachinery: ["package.json"] });
    expect(verdict(["packages/a/package.json"]).installMachinery).toEqual(["packages/a/package.json"]);
  });

  it("counts lockfiles and install configuration as install machinery only", () => {
    const changed = [
      "package-lock.json",
      "yarn.lock",
      "poetry.lock",
      "requirements-dev.txt",
      "go.sum",
      "Cargo.lock",
      "widget.gemspec",
      ".yarn/plugins/x.cjs",
    ];
    const v = verdict(changed);
    expect(v.installMachinery).toEqual(changed);
    expect(v.testMachinery).toEqual([".yarn/plugins/x.cjs"]);
  });

  it("counts test configs, conftest.py, setup files and runner shadows as test machinery", () => {
    const changed = [
      "vitest.config.ts",
      "jest.config.cjs",
      "tests/conftest.py",
      "pytest.ini",
      ".mocharc.yml",
      "test/setup.ts",
      "tsconfig.json",
      ".env.test",
      "pytest.py",
      "_pytest/main.py",
      "lib/evil.pth",
    ];
    expect(verdict(changed).testMachinery).toEqual(changed);
  });

  it("counts the files the test command and the base's test scripts run, and the scripts those call", () => {
    const baseScripts = {
      test: "npm run lint && node scripts/run-tests.mjs",
      lint: "./tools/lint.sh",
      pretest: "node scripts/pre.js",
      postinstall: "node scripts/fetch-binary.js",
    };
    const v = verdict(
      ["scripts/run-tests.mjs", "tools/lint.sh", "scripts/pre.js", "scripts/fetch-binary.js", "scripts/other.js"],
      { baseScripts },
    );
    expect(v.testMachinery).toEqual(["scripts/run-tests.mjs", "tools/lint.sh", "scripts/pre.js"]);
    expect(v.installMachinery).toEqual(["scripts/fetch-binary.js"]);
    expect(verdict(["ci/test.sh", "ci/helpers/env.sh"], { testCommand: "bash ci/test.sh" }).testMachinery).toEqual([
      "ci/test.sh",
    ]);
    expect(verdict(["bin/bootstrap"], { setupCommand: "./bin/bootstrap --deps" }).installMachinery).toEqual([
      "bin/bootstrap",
    ]);
  });

  it("counts a directory of new files by the name git lists it under", () => {
    expect(verdict(["node_modules/"]).testMachinery).toEqual(["node_modules/"]);
    expect(verdict(["scripts/"], { testCommand: "node scripts/t.js" }).testMachinery).toEqual(["scripts/"]);
    expect(verdict(["docs/"], { testCommand: "node scripts/t.js" }).testMachinery).toEqual([]);
  });

  it("reads paths out of a command line, not flags, URLs, variables or absolute paths", () => {
    expect(
      referencedPaths("./scripts/test.sh --ci && node tools/x.js https://example.com/a $HOME/x /usr/bin/env run.py"),
    ).toEqual(["scripts/test.sh", "tools/x.js", "run.py"]);
    expect(referencedPaths(undefined)).toEqual([]);
  });
});
