// A tiny npm project whose one dependency is a tarball in the repository, so
// `npm ci` installs a real tree with no network.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
export const DEP_TARBALL = "vendor/padder-1.0.0.tgz";

/** package.json, package-lock.json and the vendored tarball, as repository files. */
export async function npmProjectFiles(): Promise<Record<string, string | Buffer>> {
  const dir = await mkdtemp(path.join(tmpdir(), "npm-fixture-"));
  try {
    const dep = path.join(dir, "padder");
    await mkdir(dep);
    await writeFile(
      path.join(dep, "package.json"),
      JSON.stringify({ name: "padder", version: "1.0.0", main: "index.js" }),
    );
    await writeFile(path.join(dep, "index.js"), "module.exports = (s, n) => String(s).padStart(n);\n");
    const app = path.join(dir, "app");
    await mkdir(path.join(app, "vendor"), { recursive: true });
    await exec("npm", ["pack", "--silent", "--pack-destination", path.join(app, "vendor")], { cwd: dep });
    const pkg = {
      name: "widgets",
      version: "1.0.0",
      private: true,
      type: "module",
      scripts: { test: "node --test" },
      dependencies: { padder: `file:${DEP_TARBALL}` },
    };
    await writeFile(path.join(app, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
    await exec("npm", ["install", "--package-lock-only", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: app,
    });
    return {
      "package.json": await readFile(path.join(app, "package.json"), "utf8"),
      "package-lock.json": await readFile(path.join(app, "package-lock.json"), "utf8"),
      [DEP_TARBALL]: await readFile(path.join(app, DEP_TARBALL)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
