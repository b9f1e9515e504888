// The directory half of `view`: an indented tree, breadth first so the top
// levels are always complete before deeper ones are cut, without the heavy
// directories a model never needs to list (dependencies, build output, caches).
import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { formatCount } from "./text-file.ts";

/** Shown as `name/ (not listed)`: they exist, but their contents are noise. */
export const HEAVY_DIRS = new Set([
  ".git", ".hg", ".svn", "node_modules", "bower_components", ".venv", "venv", "__pycache__",
  ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox", ".gradle", ".idea", ".vscode-test",
  ".next", ".nuxt", ".svelte-kit", ".turbo", ".parcel-cache", ".cache", "coverage", ".nyc_output",
  "target", "dist", "build", "out", ".terraform", ".eggs",
]);

export interface ListOptions {
  depth: number;
  maxEntries: number;
}

interface Node {
  name: string;
  dir: boolean;
  heavy: boolean;
  children?: Node[];
  /** Directory below the depth or the entry cap: its contents were not read. */
  unexpanded?: boolean;
}

export async function listDirectory(abs: string, shown: string, options: ListOptions): Promise<string> {
  const root: Node = { name: shown, dir: true, heavy: false };
  let shownEntries = 0;
  let omitted = 0;
  let level: Array<{ node: Node; abs: string; depth: number }> = [{ node: root, abs, depth: 1 }];
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { node, abs: dir, depth } of level) {
      const entries = await readEntries(dir);
      if (entries === undefined) {
        node.children = [];
        continue;
      }
      node.children = [];
      for (const e of entries) {
        if (shownEntries >= options.maxEntries) {
          omitted++;
          continue;
        }
        // Symlinks are marked, not followed: they may point anywhere.
        const isDir = e.isDirectory();
        const child: Node = { name: e.isSymbolicLink() ? `${e.name}@` : e.name, dir: isDir, heavy: isDir && HEAVY_DIRS.has(e.name) };
        node.children.push(child);
        shownEntries++;
        if (isDir && !child.heavy) {
          if (depth < options.depth) next.push({ node: child, abs: path.join(dir, e.name), depth: depth + 1 });
          else child.unexpanded = true;
        }
      }
    }
    if (shownEntries >= options.maxEntries) {
      for (const { node } of next) node.unexpanded = true;
      break;
    }
    level = next;
  }
  const lines = [`${shown === "." ? "." : shown.replace(/\/?$/, "/")}`];
  render(root.children ?? [], 1, lines);
  if (root.children?.length === 0) lines.push("  (empty directory)");
  if (omitted > 0) {
    lines.push(`[${formatCount(omitted)} more entries not shown (limit ${formatCount(options.maxEntries)}); view a subdirectory to see them]`);
  }
  lines.push("(`/` marks directories, `@` symlinks, `…` directories not expanded: view them, or raise `depth`)");
  return lines.join("\n");
}

async function readEntries(dir: string): Promise<Dirent[] | undefined> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    // Directories first, then files, each alphabetically: the shape of a project at a glance.
    return entries.sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return undefined;
  }
}

function render(nodes: Node[], indent: number, out: string[]): void {
  const pad = "  ".repeat(indent);
  for (const n of nodes) {
    if (!n.dir) {
      out.push(`${pad}${n.name}`);
      continue;
    }
    if (n.heavy) out.push(`${pad}${n.name}/ (not listed)`);
    else if (n.unexpanded) out.push(`${pad}${n.name}/ …`);
    else {
      out.push(`${pad}${n.name}/`);
      render(n.children ?? [], indent + 1, out);
    }
  }
}
