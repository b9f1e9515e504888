// Reads and writes the fake's bare repositories with the git CLI, so what the
// REST API reports (branches, contents, compare, PR files) is what was
// really pushed.
import { execFile } from "node:child_process";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { installPushRules } from "./push-rules.ts";

/** git run in isolation from the developer's own configuration. */
export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_AUTHOR_NAME: "Fake GitHub",
  GIT_AUTHOR_EMAIL: "noreply@github.invalid",
  GIT_COMMITTER_NAME: "Fake GitHub",
  GIT_COMMITTER_EMAIL: "noreply@github.invalid",
};

export function git(
  gitDir: string,
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
): Promise<Buffer> {
  const full = [`--git-dir=${gitDir}`, ...args];
  const env = { ...gitEnv, ...options.env };
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      full,
      { env, encoding: "buffer", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(" ")} failed: ${stderr.toString().trim() || error.message}`));
        else resolve(stdout);
      },
    );
    // git may exit before reading its input (an error); that must not crash the process
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(options.input ?? "");
  });
}

async function gitText(gitDir: string, args: string[]): Promise<string> {
  return (await git(gitDir, args)).toString("utf8");
}

export type FileTree = Record<string, string | Buffer>;
/** A commit's changes: content to write, or null to delete the path. */
export type FileChanges = Record<string, string | Buffer | null>;

export interface CommitStep {
  message: string;
  files: FileChanges;
  author?: { name: string; email: string };
}

/** A bare repository whose default branch holds `files` (one commit, then one per extra commit). */
export async function initBareRepo(
  gitDir: string,
  options: { files: FileTree; defaultBranch: string; commits?: CommitStep[] },
): Promise<void> {
  await mkdir(dirname(gitDir), { recursive: true });
  await git(gitDir, ["init", "--bare", "--quiet", `--initial-branch=${options.defaultBranch}`]);
  // receive-pack over HTTP is off by default unless REMOTE_USER is set; the bridge sets it, but say it plainly
  await appendFile(join(gitDir, "config"), "[http]\n\treceivepack = true\n");
  await installPushRules(gitDir);
  await commitSteps(gitDir, options.defaultBranch, null, [
    { message: "Initial commit", files: options.files },
    ...(options.commits ?? []),
  ]);
}

/**
 * Commits `files` on top of `from` (default: the branch itself, or nothing for
 * a new branch) and moves `branch` there. No work tree: one `git fast-import`
 * writes the objects, so seeding is fast and touches no checkout.
 */
export async function commitFiles(
  gitDir: string,
  options: { branch: string; from?: string } & CommitStep,
): Promise<string> {
  const parent =
    options.from !== undefined ? await resolveCommit(gitDir, options.from) : await branchSha(gitDir, options.branch);
  if (options.from !== undefined && !parent) throw new Error(`commitFiles: no commit ${options.from}`);
  return commitSteps(gitDir, options.branch, parent, [options]);
}

async function commitSteps(
  gitDir: string,
  branch: string,
  parent: string | null,
  steps: CommitStep[],
): Promise<string> {
  const chunks: Buffer[] = [];
  const line = (text: string) => chunks.push(Buffer.from(`${text}\n`));
  const data = (content: string | Buffer) => {
    const bytes = typeof content === "string" ? Buffer.from(content) : content;
    line(`data ${bytes.length}`);
    chunks.push(bytes, Buffer.from("\n"));
  };
  let when = Math.floor(Date.now() / 1000) - steps.length;
  steps.forEach((step, index) => {
    const who = step.author ?? { name: "Fake GitHub", email: "noreply@github.invalid" };
    line(`commit refs/heads/${branch}`);
    line(`mark :${index + 1}`);
    line(`author ${who.name} <${who.email}> ${when} +0000`);
    line(`committer ${who.name} <${who.email}> ${when++} +0000`);
    data(step.message);
    if (index > 0) line(`from :${index}`);
    else if (parent) line(`from ${parent}`);
    for (const [path, content] of Object.entries(step.files)) {
      // C-style quoting keeps odd file names intact
      if (content === null) line(`D ${JSON.stringify(path)}`);
      else {
        line(`M 100644 inline ${JSON.stringify(path)}`);
        data(content);
      }
    }
    line("");
  });
  await git(gitDir, ["fast-import", "--quiet", "--force", "--date-format=raw"], { input: Buffer.concat(chunks) });
  const sha = await branchSha(gitDir, branch);
  if (!sha) throw new Error(`commit to ${branch} left no branch`);
  return sha;
}

/** The commit a revision names, or null. */
export async function resolveCommit(gitDir: string, rev: string): Promise<string | null> {
  try {
    return (
      (await gitText(gitDir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`])).trim() ||
      null
    );
  } catch {
    return null;
  }
}

export async function branchSha(gitDir: string, branch: string): Promise<string | null> {
  return resolveCommit(gitDir, `refs/heads/${branch}`);
}

export type TreeEntry = { type: "blob" | "tree" | "commit"; mode: string; sha: string; size: number; name: string };

export type PathContent =
  | { kind: "file"; sha: string; content: Buffer; mode: string }
  | { kind: "dir"; sha: string; entries: TreeEntry[] }
  | null;

/** What `path` is at `rev`: a file with its bytes, a directory listing, or nothing. */
export async function readPath(gitDir: string, rev: string, path: string): Promise<PathContent> {
  const clean = path.replace(/^\/+|\/+$/g, "");
  const spec = clean === "" ? `${rev}^{tree}` : `${rev}:${clean}`;
  let type: string;
  try {
    type = (await gitText(gitDir, ["cat-file", "-t", spec])).trim();
  } catch {
    return null;
  }
  const sha = (await gitText(gitDir, ["rev-parse", spec])).trim();
  if (type === "blob") {
    const content = await git(gitDir, ["cat-file", "blob", sha]);
    let mode = "100644";
    if (clean !== "") {
      const parent = clean.includes("/") ? clean.slice(0, clean.lastIndexOf("/")) : "";
      const listing = await listTree(gitDir, parent === "" ? `${rev}^{tree}` : `${rev}:${parent}`);
      const name = clean.slice(clean.lastIndexOf("/") + 1);
      mode = listing.find((e) => e.name === name)?.mode ?? mode;
    }
    return { kind: "file", sha, content, mode };
  }
  if (type === "tree") return { kind: "dir", sha, entries: await listTree(gitDir, sha) };
  return null;
}

async function listTree(gitDir: string, treeish: string): Promise<TreeEntry[]> {
  const out = await gitText(gitDir, ["ls-tree", "-z", "-l", treeish]);
  return out
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf("\t");
      const [mode = "", type = "", sha = "", size = "0"] = line.slice(0, tab).trim().split(/\s+/);
      return { mode, type: type as TreeEntry["type"], sha, size: Number(size) || 0, name: line.slice(tab + 1) };
    });
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  message: string;
}

const COMMIT_FORMAT = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x1e";

function parseCommits(out: string): CommitInfo[] {
  return out
    .split("\x1e")
    .map((s) => s.replace(/^\n/, ""))
    .filter((s) => s.length > 0)
    .map((record) => {
      const [sha = "", tree = "", parents = "", an = "", ae = "", ad = "", cn = "", ce = "", cd = "", message = ""] =
        record.split("\0");
      return {
        sha,
        tree,
        parents: parents.split(" ").filter(Boolean),
        author: { name: an, email: ae, date: utc(ad) },
        committer: { name: cn, email: ce, date: utc(cd) },
        message: message.replace(/\n+$/, ""),
      };
    });
}

function utc(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export async function commitInfo(gitDir: string, sha: string): Promise<CommitInfo> {
  const [info] = parseCommits(await gitText(gitDir, ["show", "-s", `--format=${COMMIT_FORMAT}`, sha]));
  if (!info) throw new Error(`no commit ${sha}`);
  return info;
}

/** Commits reachable from `head` but not `base`, oldest first (what a PR or compare lists). */
export async function commitsBetween(gitDir: string, base: string, head: string): Promise<CommitInfo[]> {
  return parseCommits(await gitText(gitDir, ["log", "--reverse", `--format=${COMMIT_FORMAT}`, `${base}..${head}`]));
}

export async function countBetween(gitDir: string, base: string, head: string): Promise<number> {
  return Number((await gitText(gitDir, ["rev-list", "--count", `${base}..${head}`])).trim());
}

export async function mergeBase(gitDir: string, a: string, b: string): Promise<string | null> {
  try {
    return (await gitText(gitDir, ["merge-base", a, b])).trim() || null;
  } catch {
    return null;
  }
}

export async function isAncestor(gitDir: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await git(gitDir, ["merge-base", "--is-ancestor", ancestor, descendant]);
    return true;
  } catch {
    return false;
  }
}

export interface FileChange {
  filename: string;
  previousFilename?: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed";
  sha: string | null;
  additions: number;
  deletions: number;
  patch?: string;
}

const STATUS: Record<string, FileChange["status"]> = {
  A: "added",
  D: "removed",
  M: "modified",
  R: "renamed",
  C: "copied",
  T: "changed",
};

/** Files changed from `base` to `head`, with GitHub's per-file patch (hunks only). */
export async function diffFiles(gitDir: string, base: string, head: string): Promise<FileChange[]> {
  const raw = (await gitText(gitDir, ["diff", "--raw", "-z", "-M", "--no-abbrev", base, head])).split("\0");
  const changes: FileChange[] = [];
  for (let i = 0; i < raw.length;) {
    const meta = raw[i++];
    if (!meta || !meta.startsWith(":")) continue;
    const [, , , newSha = "", statusField = ""] = meta.slice(1).split(" ");
    const letter = statusField.charAt(0);
    const first = raw[i++] ?? "";
    const renamed = letter === "R" || letter === "C";
    const second = renamed ? (raw[i++] ?? "") : undefined;
    changes.push({
      filename: second ?? first,
      ...(renamed ? { previousFilename: first } : {}),
      status: STATUS[letter] ?? "modified",
      sha: letter === "D" ? null : newSha,
      additions: 0,
      deletions: 0,
    });
  }
  const numstat = (await gitText(gitDir, ["diff", "--numstat", "-z", "-M", base, head])).split("\0");
  let index = 0;
  for (let i = 0; i < numstat.length && index < changes.length;) {
    const entry = numstat[i++];
    if (!entry) continue;
    const [added = "0", deleted = "0", path = ""] = entry.split("\t");
    if (path === "") i += 2; // a rename: old and new names follow
    const change = changes[index++];
    if (!change) break;
    change.additions = added === "-" ? 0 : Number(added);
    change.deletions = deleted === "-" ? 0 : Number(deleted);
  }
  const patch = await gitText(gitDir, ["diff", "-M", "--no-color", "--no-ext-diff", base, head]);
  const sections = patch.split(/^diff --git /m).slice(1);
  sections.forEach((section, n) => {
    const change = changes[n];
    const hunk = section.indexOf("\n@@");
    if (change && hunk >= 0) change.patch = section.slice(hunk + 1).replace(/\n$/, "");
  });
  return changes;
}

/** Every ref and the object it points at. */
export async function refs(gitDir: string): Promise<Map<string, string>> {
  const out = await gitText(gitDir, ["for-each-ref", "--format=%(refname) %(objectname)"]);
  return new Map(
    out
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]),
  );
}

/** Copies a branch from another bare repository (GitHub keeps a fork PR's head as refs/pull/N/head). */
export async function fetchRef(gitDir: string, fromGitDir: string, fromRef: string, toRef: string): Promise<void> {
  await git(gitDir, ["fetch", "--quiet", "--no-tags", fromGitDir, `+${fromRef}:${toRef}`]);
}

export async function updateRef(gitDir: string, ref: string, sha: string): Promise<void> {
  await git(gitDir, ["update-ref", ref, sha]);
}

/** A fork's repository: a bare clone of the parent with every branch. */
export async function cloneBare(fromGitDir: string, toGitDir: string): Promise<void> {
  await mkdir(dirname(toGitDir), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    execFile(
      "git",
      ["clone", "--bare", "--quiet", "--no-local", fromGitDir, toGitDir],
      { env: gitEnv },
      (error, _out, stderr) => (error ? reject(new Error(`git clone failed: ${stderr.toString().trim()}`)) : resolve()),
    );
  });
  await appendFile(join(toGitDir, "config"), "[http]\n\treceivepack = true\n");
  await installPushRules(toGitDir);
}
