// Packages a task needs that the sandbox cannot install (it has no network
// while the agent works): copied from issuesmith's own node_modules into the
// clone before the agent starts, and kept out of the agent's diff. This is
// how the TypeScript tasks get a compiler on a machine whose Node cannot
// strip types (see bench/tasks/README.md).
import { appendFile, cp, mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const OWN_NODE_MODULES = fileURLToPath(new URL("../../node_modules/", import.meta.url));

export async function provideNodeModules(repoDir: string, packages: string[]): Promise<void> {
  if (packages.length === 0) return;
  for (const name of packages) {
    const from = path.join(OWN_NODE_MODULES, name);
    if (!(await stat(path.join(from, "package.json")).catch(() => undefined))) {
      throw new Error(
        `provide_node_modules: ${name} is not installed in issuesmith's node_modules (run npm ci in the project)`,
      );
    }
    const to = path.join(repoDir, "node_modules", name);
    await mkdir(path.dirname(to), { recursive: true });
    // A copy, never links: the agent may write anywhere in its clone.
    await cp(from, to, { recursive: true, dereference: true });
  }
  await appendFile(path.join(repoDir, ".git", "info", "exclude"), "\n# provided by issuesmith eval\n/node_modules/\n");
}
