// The directory half of `view`: an indented tree, breadth first so the top
// levels are always complete before deeper ones are cut, without the heavy
// directories a model never needs to list (dependencies, build output, caches).
import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { formatCount } from "./text-file.ts";

/** Shown as `name/ (not listed)`: they exist, but their contents are noise. */
export const HEAVY_DIRS = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  "bower_components",
  ".venv",
  "venv",
  "__pycache__",
  ".mypy_cache",
  ".pytest_cache",
  ".ruff_cache",
  ".tox",
  ".nox",
  ".gradle",
  ".idea",
  ".vscode-test",
  ".next",
  ".nuxt",
  ".svelte-kit",
  ".turbo",
  ".parcel-cache",
  ".cache",
  "coverage",
  ".nyc_output",
  "target",
  "dist",
  "build",
  "out",
  ".terraform",
  ".eggs",
]);

export interface ListOptions {
  depth: number;
  /** Entries shown in all; the directory asked for may use all of them. */
  maxEntries: number;
  /** Entries shown per directory below the one asked for. */
  maxPerDir?: number;
}

interface Node {
  name: string;
  dir: boolean;
  heavy: boolean;
  children?: Node[];
  /** Entries of this directory left out by the caps. */
  more?: number;
  /** Directory below the depth or beyond the entry budget: its contents were not read or not shown. */
  unexpanded?: boolean;
}

export async function listDirectory(abs: string, shown: string, options: ListOptions): Promise<string> {
  const perDir = options.maxPerDir ?? 50;
  const root: Node = { name: shown, dir: true, heavy: false };
  let budget = options.maxEntries;
  let level: Array<{ node: Node; abs: string; depth: number }> = [{ node: root, abs, depth: 1 }];
  while (level.length > 0) {
    const next: typeof level = [];
    for (const { node, abs: dir, depth } of level) {
      const entries = (await readEntries(dir)) ?? [];
      const cap = depth === 1 ? budget : Math.min(perDir, entries.length);
      const take = entries.slice(0, cap);
      // A directory is listed whole (up to its cap) or not at all, so a listing never looks complete when it is not.
      if (depth > 1 && take.length > budget) {
        node.unexpanded = true;
        continue;
      }
      budget -= take.length;
      node.more = entries.length - take.length;
      node.children = take.map((e) => {
        // Symlinks are marked, not followed: they may point anywhere.
        const isDir = e.isDirectory();
        const child: Node = {
          name: e.isSymbolicLink() ? `${e.name}@` : e.name,
          dir: isDir,
          heavy: isDir && HEAVY_DIRS.has(e.name),
        };
        if (isDir && !child.heavy) {
          if (depth < options.depth) next.push({ node: child, abs: path.join(dir, e.name), depth: depth + 1 });
          else child.unexpanded = true;
        }
        return child;
      });
    }
    level = next;
  }
  const lines = [`${shown === "." ? "." : shown.replace(/\/?$/, "/")}`];
  render(root, 1, lines);
  if (root.children?.length === 0) lines.push("  (empty directory)");
  lines.push("(`/` marks directories, `@` symlinks, `…` directories not expanded: view them, or raise `depth`)");
  return lines.join("\n");
}

async function readEntries(dir: string): Promise<Dirent[] | undefined> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    // Directories first, then files, each alphabetically: the shape of a project at a glance.
    return entries.sort(
      (a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  } catch {
    return undefined;
  }
}

function render(node: Node, indent: number, out: string[]): void {
  const pad = "  ".repeat(indent);
  for (const n of node.children ?? []) {
    if (!n.dir) out.push(`${pad}${n.name}`);
    else if (n.heavy) out.push(`${pad}${n.name}/ (not listed)`);
    else if (n.unexpanded) out.push(`${pad}${n.name}/ …`);
    else {
      out.push(`${pad}${n.name}/`);
      render(n, indent + 1, out);
    }
  }
  if (node.more) {
    const how = indent === 1 ? 'find names with `search` (mode: "files")' : "view this directory to see them";
    out.push(`${pad}… ${formatCount(node.more)} more entr${node.more === 1 ? "y" : "ies"} not shown (${how})`);
  }
}
