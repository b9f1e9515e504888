// When .github/agent.yml says nothing: guess the repository's test and setup
// commands from the files every ecosystem leaves behind. A wrong guess costs
// a failed command with its output; no guess costs nothing. Never throws.
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { readRepoText } from "../security/repo-file.ts";

const NPM_PLACEHOLDER = /no test specified/i;
const PYTEST_COMMAND = "python3 -m pytest -q";

export async function detectTestCommand(repoDir: string): Promise<string | undefined> {
  try {
    const pkg = await readPackageJson(repoDir);
    const test = pkg?.scripts?.test;
    if (typeof test === "string" && test.trim() && !NPM_PLACEHOLDER.test(test)) return "npm test";
    if (await isPytestProject(repoDir)) return PYTEST_COMMAND;
    if (await exists(repoDir, "go.mod")) return "go test ./...";
    if (await exists(repoDir, "Cargo.toml")) return "cargo test";
    if (await hasMakeTarget(repoDir, "test")) return "make test";
  } catch {
    /* an unreadable repository has no detectable command */
  }
  return undefined;
}

export async function detectSetupCommand(repoDir: string): Promise<string | undefined> {
  try {
    if ((await exists(repoDir, "package-lock.json")) || (await exists(repoDir, "npm-shrinkwrap.json"))) return "npm ci";
    if (await exists(repoDir, "yarn.lock")) return "yarn install --frozen-lockfile";
    if (await exists(repoDir, "pnpm-lock.yaml")) return "pnpm install --frozen-lockfile";
    if (await exists(repoDir, "package.json")) return "npm install";
    if (await exists(repoDir, "requirements.txt")) return "python3 -m pip install -r requirements.txt";
    if (await exists(repoDir, "go.mod")) return "go mod download";
  } catch {
    /* nothing to set up that we can see */
  }
  return undefined;
}

interface PackageJson {
  scripts?: Record<string, unknown>;
}

async function readPackageJson(repoDir: string): Promise<PackageJson | undefined> {
  const text = await readText(repoDir, "package.json");
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

async function isPytestProject(repoDir: string): Promise<boolean> {
  if (await exists(repoDir, "pytest.ini")) return true;
  if ((await readText(repoDir, "pyproject.toml"))?.includes("[tool.pytest")) return true;
  if ((await readText(repoDir, "setup.cfg"))?.includes("[tool:pytest]")) return true;
  if ((await readText(repoDir, "tox.ini"))?.match(/^\[(pytest|tool:pytest)\]/m)) return true;
  if (await exists(repoDir, "conftest.py")) return true;
  return hasPythonTestFiles(repoDir);
}

const SKIP_DIRS = new Set([
  ".git",
  "node_modules",
  ".venv",
  "venv",
  ".tox",
  "__pycache__",
  "site-packages",
  "dist",
  "build",
]);

/** test_*.py or *_test.py in the root, `tests/`, `test/` or one level of packages below the root. */
async function hasPythonTestFiles(repoDir: string): Promise<boolean> {
  const queue: Array<{ dir: string; depth: number }> = [{ dir: repoDir, depth: 0 }];
  let visited = 0;
  while (queue.length > 0 && visited < 200) {
    const { dir, depth } = queue.shift()!;
    visited++;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isFile() && /^(test_.*|.*_test)\.py$/.test(e.name)) return true;
      if (e.isDirectory() && depth < 3 && !SKIP_DIRS.has(e.name) && !e.name.startsWith("."))
        queue.push({ dir: path.join(dir, e.name), depth: depth + 1 });
    }
  }
  return false;
}

async function hasMakeTarget(repoDir: string, target: string): Promise<boolean> {
  for (const name of ["Makefile", "makefile", "GNUmakefile"]) {
    const text = await readText(repoDir, name);
    if (text !== undefined && new RegExp(`^${target}\\s*:(?!=)`, "m").test(text)) return true;
  }
  return false;
}

async function exists(repoDir: string, name: string): Promise<boolean> {
  try {
    return (await stat(path.join(repoDir, name))).isFile();
  } catch {
    return false;
  }
}

/** Through readRepoText: the checkout's own regular files only (not a link to /dev/zero or a host file). */
async function readText(repoDir: string, name: string): Promise<string | undefined> {
  return (await readRepoText(repoDir, name, 1024 * 1024))?.text;
}
