// The path guard of every file tool: a path the model names must end up, by
// its real path, inside the workspace's repository and outside `.git/`.
// Real paths matter because the repository itself (or the model, through
// `shell`) may hold symlinks that point anywhere on the host.
//
// Tools run one at a time in the loop, so the check-then-use window is not
// raced by the agent's own commands; the returned path is the real one, and
// that is what tools must open.
import { realpathSync } from "node:fs";
import { lstat, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { ToolError } from "../errors.ts";

const MAX_LINK_DEPTH = 40;

export interface ResolveOptions {
  /** The path will be written: it may not exist yet (its parent's real path is checked instead). */
  write?: boolean;
}

/**
 * Resolve `requested` (relative to `repoDir`, or absolute) to its real path.
 * Throws a ToolError the model can act on when it leaves the repository
 * (directly, or through a symlink), lies inside `.git/`, or (for reads) does not exist.
 */
export async function resolveInWorkspace(
  repoDir: string,
  requested: string,
  opts: ResolveOptions = {},
): Promise<string> {
  const shown = requested.trim() === "" ? "." : requested.trim();
  if (shown.includes("\0")) throw new ToolError(`The path ${quote(shown)} contains a NUL byte.`);
  const root = await realRoot(repoDir);
  const lexical = path.isAbsolute(shown) ? path.normalize(shown) : path.resolve(repoDir, shown);
  if (!isInside(repoDir, lexical) && !isInside(root, lexical)) {
    throw new ToolError(
      `${quote(shown)} is outside the repository. Paths are relative to the repository root (for example \`src/index.ts\`); absolute paths must lie inside ${root}.`,
    );
  }
  const real = await resolveReal(lexical, 0, shown);
  if (!isInside(root, real)) {
    const link = await firstSymlink(root, repoDir, lexical);
    const via = link ? ` through the symlink ${quote(link.rel)} (→ ${link.target})` : " through a symlink";
    throw new ToolError(
      `${quote(shown)} leads outside the repository${via}. Only files inside the repository can be ${opts.write ? "changed" : "read"}.`,
    );
  }
  const rel = path.relative(root, real);
  if (rel.split(path.sep).includes(".git")) {
    throw new ToolError(
      `${quote(shown)} is inside \`.git/\`, which the tools do not touch. Use \`shell\` with read-only git commands (\`git log\`, \`git diff\`, \`git show\`) to inspect history.`,
    );
  }
  if (opts.write && real === root) throw new ToolError(`${quote(shown)} is the repository root itself, not a file.`);
  if (!opts.write) {
    try {
      await lstat(real);
    } catch {
      throw new ToolError(
        `${quote(shown)} does not exist. List a directory with \`view\` or find files with \`search\` (mode: "files").`,
      );
    }
  }
  return real;
}

/** The repository-relative form of a path for messages: posix separators, "." for the root. */
export function toWorkspaceRelative(repoDir: string, abs: string): string {
  let rel = path.relative(repoDir, abs);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    try {
      rel = path.relative(realpathSync(repoDir), abs);
    } catch {
      /* keep the lexical answer */
    }
  }
  if (rel === "") return ".";
  return rel.split(path.sep).join("/");
}

const roots = new Map<string, string>();

async function realRoot(repoDir: string): Promise<string> {
  let root = roots.get(repoDir);
  if (root === undefined) {
    try {
      root = await realpath(repoDir);
    } catch {
      throw new ToolError(`The workspace ${repoDir} is gone.`);
    }
    if (roots.size > 1000) roots.clear();
    roots.set(repoDir, root);
  }
  return root;
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/**
 * realpath for paths that may not exist yet: the nearest existing ancestor is
 * resolved and the rest appended, and a dangling symlink is followed to where
 * a write through it would land.
 */
async function resolveReal(p: string, depth: number, shown: string): Promise<string> {
  if (depth > MAX_LINK_DEPTH) throw new ToolError(`${quote(shown)} goes through too many levels of symlinks.`);
  try {
    return await realpath(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new ToolError(`${quote(shown)} goes through a symlink loop.`);
    if (code !== "ENOENT" && code !== "ENOTDIR")
      throw new ToolError(`${quote(shown)} cannot be resolved: ${(err as Error).message}`);
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  const realParent = await resolveReal(parent, depth + 1, shown);
  const candidate = path.join(realParent, path.basename(p));
  try {
    const st = await lstat(candidate);
    if (st.isSymbolicLink()) return resolveReal(path.resolve(realParent, await readlink(candidate)), depth + 1, shown);
  } catch {
    /* does not exist: the candidate is where it would be created */
  }
  return candidate;
}

/** For the refusal message: the first symlink on the way whose target leaves the repository. */
async function firstSymlink(
  root: string,
  repoDir: string,
  lexical: string,
): Promise<{ rel: string; target: string } | undefined> {
  const base = isInside(root, lexical) ? root : repoDir;
  const parts = path.relative(base, lexical).split(path.sep);
  let current = base;
  for (const part of parts) {
    current = path.join(current, part);
    try {
      const st = await lstat(current);
      if (!st.isSymbolicLink()) continue;
      const target = await readlink(current);
      let resolved: string;
      try {
        resolved = await realpath(current);
      } catch {
        resolved = path.resolve(path.dirname(current), target);
      }
      if (!isInside(root, resolved)) return { rel: path.relative(base, current).split(path.sep).join("/"), target };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function quote(p: string): string {
  return `\`${p}\``;
}
