// The import rule of ARCHITECTURE.md §2 as `npm run lint` applies it: each
// case lints a small probe file placed (virtually) in a room of src/.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
// The probes exist only in memory, so the TypeScript project cannot type them:
// the type-checked rules are off here, the import rule is as configured.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { "@typescript-eslint/no-floating-promises": "off", "@typescript-eslint/no-misused-promises": "off" },
  },
});

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const messages = result?.messages ?? [];
  expect(messages.filter((m) => m.fatal).map((m) => m.message)).toEqual([]);
  return messages.filter((m) => m.ruleId?.startsWith("boundaries/")).map((m) => m.message);
}

describe("the import-layer lint rule", () => {
  it("lets a room import the layers below it", async () => {
    const code =
      'import { runAgentLoop } from "./loop.ts";\nimport { ToolError } from "../errors.ts";\nimport { truncateMiddle } from "../shared/truncate.ts";\nexport const x = [runAgentLoop, ToolError, truncateMiddle];\n';
    expect(await boundaryErrors("src/agent/probe.ts", code)).toEqual([]);
  });

  it("fails an import that climbs, whether a value, a type, a re-export or a dynamic import", async () => {
    const code = [
      'import { runAgentLoop } from "../agent/loop.ts";',
      'import type { JobDeps } from "../run/deps.ts";',
      'export { createRegistry } from "../tools/registry.ts";',
      'export const f = (d?: JobDeps) => [d, runAgentLoop, import("../handlers/issues.ts")];',
      "",
    ].join("\n");
    const errors = await boundaryErrors("src/security/probe.ts", code);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toContain('"security" to elements of type "agent"');
  });

  it("fails an import between two rooms of the same layer", async () => {
    const errors = await boundaryErrors(
      "src/llm/probe.ts",
      'import { GitWorkspace } from "../workspace/git.ts";\nexport const g = GitWorkspace;\n',
    );
    expect(errors).toEqual([expect.stringContaining('"llm" to elements of type "workspace"')]);
  });

  it("holds for the files at the root of src/ too", async () => {
    expect(
      await boundaryErrors(
        "src/errors.ts",
        'import { truncateMiddle } from "./shared/truncate.ts";\nexport const t = truncateMiddle;\n',
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        "src/agent/probe.ts",
        'import { createLogger } from "../logger.ts";\nexport const l = createLogger;\n',
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        "src/cli/probe.ts",
        'import { createLogger } from "../logger.ts";\nimport { runAgentLoop } from "../agent/loop.ts";\nexport const l = [createLogger, runAgentLoop];\n',
      ),
    ).toEqual([]);
  });

  it("fails a file under src/ that belongs to no room, and an import of one", async () => {
    expect(await boundaryErrors("src/newroom/probe.ts", "export const n = 1;\n")).toHaveLength(1);
    expect(
      await boundaryErrors("src/run/probe.ts", 'import { n } from "../newroom/probe.ts";\nexport const m = n;\n'),
    ).toHaveLength(1);
  });
});
