import { describe, expect, it } from "vitest";
import { detectSetupCommand, detectTestCommand } from "../../src/workspace/detect.ts";
import { makeRepo } from "./helpers.ts";

async function inRepo<T>(files: Record<string, string>, fn: (dir: string) => Promise<T>): Promise<T> {
  const repo = await makeRepo(files, { git: false });
  try {
    return await fn(repo.repoDir);
  } finally {
    await repo.cleanup();
  }
}

const testCommandOf = (files: Record<string, string>) => inRepo(files, detectTestCommand);
const setupCommandOf = (files: Record<string, string>) => inRepo(files, detectSetupCommand);
const pkg = (scripts: Record<string, string>) => JSON.stringify({ name: "x", scripts });

describe("detectTestCommand", () => {
  it("uses the package.json test script", async () => {
    expect(await testCommandOf({ "package.json": pkg({ test: "vitest run" }) })).toBe("npm test");
  });

  it("ignores npm's placeholder test script", async () => {
    expect(
      await testCommandOf({ "package.json": pkg({ test: 'echo "Error: no test specified" && exit 1' }) }),
    ).toBeUndefined();
  });

  it.each([
    [{ "pytest.ini": "[pytest]\n" }],
    [{ "pyproject.toml": "[project]\nname='x'\n\n[tool.pytest.ini_options]\naddopts='-q'\n" }],
    [{ "setup.cfg": "[metadata]\nname=x\n[tool:pytest]\n" }],
    [{ "tox.ini": "[tox]\n[pytest]\naddopts=-q\n" }],
    [{ "tests/test_parser.py": "def test_x(): pass\n" }],
    [{ "pkg/sub/parser_test.py": "def test_x(): pass\n" }],
  ])("recognises a pytest project from %o", async (files) => {
    expect(await testCommandOf(files)).toBe("python3 -m pytest -q");
  });

  it("does not take a plain Python package for a pytest project", async () => {
    expect(await testCommandOf({ "pyproject.toml": "[project]\nname='x'\n", "src/x/__init__.py": "" })).toBeUndefined();
  });

  it("uses go test, cargo test and make test", async () => {
    expect(await testCommandOf({ "go.mod": "module example.com/x\n" })).toBe("go test ./...");
    expect(await testCommandOf({ "Cargo.toml": "[package]\nname='x'\n" })).toBe("cargo test");
    expect(await testCommandOf({ Makefile: "build:\n\tcc x.c\n\ntest: build\n\t./run-tests\n" })).toBe("make test");
  });

  it("needs a real make target, not a variable named test", async () => {
    expect(await testCommandOf({ Makefile: "test := 1\nall:\n\techo\n" })).toBeUndefined();
  });

  it("prefers the package.json script over other signs", async () => {
    expect(await testCommandOf({ "package.json": pkg({ test: "jest" }), Makefile: "test:\n\tjest\n" })).toBe(
      "npm test",
    );
  });

  it("finds nothing in an empty repository, and survives a broken package.json", async () => {
    expect(await testCommandOf({})).toBeUndefined();
    expect(await testCommandOf({ "package.json": "{ not json" })).toBeUndefined();
    expect(await detectTestCommand("/nonexistent/dir/for/issuesmith")).toBeUndefined();
  });
});

describe("detectSetupCommand", () => {
  it.each([
    [{ "package.json": "{}", "package-lock.json": "{}" }, "npm ci"],
    [{ "package.json": "{}", "npm-shrinkwrap.json": "{}" }, "npm ci"],
    [{ "package.json": "{}", "yarn.lock": "" }, "yarn install --frozen-lockfile"],
    [{ "package.json": "{}", "pnpm-lock.yaml": "" }, "pnpm install --frozen-lockfile"],
    [{ "package.json": "{}" }, "npm install"],
    [{ "requirements.txt": "requests\n" }, "python3 -m pip install -r requirements.txt"],
    [{ "go.mod": "module x\n" }, "go mod download"],
  ])("detects %o → %s", async (files, expected) => {
    expect(await setupCommandOf(files)).toBe(expected);
  });

  it("finds nothing to set up otherwise, and never throws", async () => {
    expect(await setupCommandOf({ "README.md": "# x\n" })).toBeUndefined();
    expect(await detectSetupCommand("/nonexistent/dir/for/issuesmith")).toBeUndefined();
  });
});
