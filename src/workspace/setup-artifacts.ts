// What a setup command leaves in the checkout (node_modules/, a rewritten
// lockfile, caches) is not the agent's work: untracked leftovers are excluded
// for this clone, and tracked files it rewrote are remembered, to be put back
// later unless the agent changed them further.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SimpleGit } from "simple-git";

/** Exclude the untracked leftovers; return them and the rewritten tracked files with their hash right after setup. */
export async function markSetupArtifacts(
  git: SimpleGit,
  dir: string,
): Promise<{ untracked: string[]; rewrites: Map<string, string> }> {
  const status = await git.raw(["status", "--porcelain=v1", "-z", "--untracked-files=normal"]);
  const entries = status.split("\0").filter(Boolean);
  const untracked: string[] = [];
  const rewrites = new Map<string, string>();
  for (const e of entries) {
    const code = e.slice(0, 2);
    const file = e.slice(3);
    if (code === "??") untracked.push(file);
    else if (code.includes("M")) rewrites.set(file, (await git.raw(["hash-object", "--", file])).trim());
  }
  if (untracked.length > 0) {
    const exclude = path.join(dir, ".git", "info", "exclude");
    const before = await readFile(exclude, "utf8").catch(() => "");
    const lines = untracked.map((f) => `/${f.replace(/([*?[\]\\!#])/g, "\\$1")}`);
    await writeFile(exclude, `${before.trimEnd()}\n# left by the setup command\n${lines.join("\n")}\n`);
  }
  return { untracked, rewrites };
}

/** Check out from `ref` each rewritten file that still has its post-setup content. */
export async function revertSetupRewrites(git: SimpleGit, rewrites: Map<string, string>, ref: string): Promise<void> {
  for (const [file, hash] of rewrites) {
    const now = await git.raw(["hash-object", "--", file]).then(
      (h) => h.trim(),
      () => "",
    );
    if (now === hash) await git.raw(["checkout", ref, "--", file]);
  }
}
