// The large repository of the warm-start bench, made once with
// `git fast-import` and kept under the temp dir between runs: 30,000 files
// in 300 directories, 5,000 commits (each after the first rewrites three
// files), text that does not compress much (base64 of random bytes), and in
// the last commit a package.json + package-lock.json of real npm packages.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
export const FILES = 30_000;
export const COMMITS = 5_000;
const FILE_BYTES = 5_400; // of random data: ~7.2 KB of base64 text
const VERSION = "v1";
export const CACHE_ROOT = path.join(tmpdir(), `issuesmith-bench-warm-${VERSION}`);

export const PACKAGE_JSON = {
  name: "big-repo",
  version: "1.0.0",
  private: true,
  dependencies: { express: "4.21.2", lodash: "4.17.21", zod: "3.23.8", yaml: "2.6.1", commander: "12.1.0" },
};

const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

function text(bytes: number): Buffer {
  return Buffer.from(
    randomBytes(bytes)
      .toString("base64")
      .replace(/(.{76})/g, "$1\n") + "\n",
  );
}

const fileName = (i: number) =>
  `src/d${String(Math.floor(i / 100)).padStart(3, "0")}/f${String(i % 100).padStart(2, "0")}.txt`;

/** package-lock.json for PACKAGE_JSON, resolved against the npm registry once. */
async function packageLock(): Promise<string> {
  const cached = path.join(CACHE_ROOT, "package-lock.json");
  const have = await readFile(cached, "utf8").catch(() => undefined);
  if (have) return have;
  const dir = await mkdtemp(path.join(tmpdir(), "warm-lock-"));
  try {
    await writeFile(path.join(dir, "package.json"), JSON.stringify(PACKAGE_JSON, null, 2) + "\n");
    await exec("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: dir,
      env: { ...process.env, HOME: dir },
    });
    const lock = await readFile(path.join(dir, "package-lock.json"), "utf8");
    await mkdir(CACHE_ROOT, { recursive: true });
    await writeFile(cached, lock);
    return lock;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The bare repository, made on first use. */
export async function bigRepo(log: (line: string) => void): Promise<string> {
  const gitDir = path.join(CACHE_ROOT, "big.git");
  if (await stat(path.join(gitDir, "complete")).catch(() => undefined)) return gitDir;
  const lock = await packageLock();
  const started = performance.now();
  log(`generating the large repository under ${CACHE_ROOT} (once)`);
  const tmp = `${gitDir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await exec("git", ["init", "--quiet", "--bare", "--initial-branch=main", tmp], { env: gitEnv });
  const child = spawn("git", ["fast-import", "--quiet", "--done"], {
    cwd: tmp,
    env: { ...gitEnv, GIT_DIR: tmp },
    stdio: ["pipe", "inherit", "inherit"],
  });
  const exited = new Promise<void>((resolve, reject) =>
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`)))),
  );
  const write = async (chunk: Buffer | string) => {
    if (!child.stdin.write(chunk)) await new Promise<void>((r) => child.stdin.once("drain", () => r()));
  };
  const file = async (name: string, content: Buffer) => {
    await write(`M 100644 inline ${name}\ndata ${content.length}\n`);
    await write(content);
    await write("\n");
  };
  let when = 1_600_000_000;
  for (let c = 0; c < COMMITS; c++) {
    const message = c === 0 ? "Initial import" : `Change ${c}`;
    await write(
      `commit refs/heads/main\ncommitter Bench <bench@example.invalid> ${when++} +0000\ndata ${Buffer.byteLength(message)}\n${message}\n`,
    );
    if (c === 0) for (let i = 0; i < FILES; i++) await file(fileName(i), text(FILE_BYTES));
    else for (let k = 0; k < 3; k++) await file(fileName(Math.floor(Math.random() * FILES)), text(FILE_BYTES));
    if (c === COMMITS - 1) {
      await file("package.json", Buffer.from(JSON.stringify(PACKAGE_JSON, null, 2) + "\n"));
      await file("package-lock.json", Buffer.from(lock));
      await file(".github/agent.yml", Buffer.from("setup: npm ci\nsetup_network: true\n"));
    }
    await write("\n");
  }
  await write("done\n");
  child.stdin.end();
  await exited;
  await writeFile(path.join(tmp, "complete"), "");
  await rename(tmp, gitDir);
  log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return gitDir;
}

/** Bytes of the repository's packs. */
export async function packedBytes(gitDir: string): Promise<number> {
  const { stdout } = await exec("git", ["count-objects", "-v"], { env: { ...gitEnv, GIT_DIR: gitDir } });
  const kib = /size-pack: (\d+)/.exec(stdout)?.[1];
  return Number(kib ?? 0) * 1024;
}
