import boundaries from "eslint-plugin-boundaries";
import tseslint from "typescript-eslint";

// The layers of ARCHITECTURE.md §2, top to bottom. A room may import the rooms
// of the layers below its own, never a sibling of its layer nor anything above.
// Rooms are folders (elements); the few files at the root of src/ are classified
// as files (a category), as eslint-plugin-boundaries 7 wants single files.
const LAYERS = [
  { wiring: ["src/server.ts", "src/index.ts", "src/runtime.ts", "src/logger.ts", "src/cli.ts", "src/cli"] },
  { handlers: ["src/handlers"], http: ["src/http"], trajectory: ["src/trajectory"], eval: ["src/eval"] },
  { jobs: ["src/jobs"] },
  { run: ["src/run"] },
  { agent: ["src/agent"] },
  { tools: ["src/tools"] },
  { workspace: ["src/workspace"], llm: ["src/llm"] },
  { github: ["src/github"] },
  { security: ["src/security"] },
  { config: ["src/config"] },
  { shared: ["src/shared"], errors: ["src/errors.ts"] },
];

const isFile = (p) => p.endsWith(".ts");
const elements = [];
const files = [];
for (const [type, patterns] of LAYERS.flatMap((layer) => Object.entries(layer))) {
  const folders = patterns.filter((p) => !isFile(p));
  const single = patterns.filter(isFile);
  if (folders.length) elements.push({ type, pattern: folders, partialMatch: false });
  if (single.length) files.push({ category: type, pattern: single });
}
/** Both a folder room and a root file of that name or layer are selected by its name. */
const room = (names) => [{ element: { types: { anyOf: names } } }, { file: { categories: { anyOf: names } } }];
const policies = LAYERS.flatMap((layer, i) => {
  const below = LAYERS.slice(i + 1).flatMap((l) => Object.keys(l));
  // A room's own files import one another freely; so do the wiring's.
  return Object.keys(layer).flatMap((name) =>
    room([name]).map((from) => ({ from, allow: { to: room([name, ...below]) } })),
  );
});

export default tseslint.config(
  // bench/tasks holds the eval task repositories: code with planted bugs, not ours.
  { ignores: ["node_modules/**", "data/**", "coverage/**", "test-artifacts/**", "bench/tasks/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read config once in src/config/env.ts and pass it down." },
      ],
    },
  },
  {
    // Type-checked rules: a promise nobody awaits loses its error and its ordering.
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    // In the app an unhandled rejection ends the process, so `void p` alone is not enough: fire-and-forget
    // says how its failure is handled (a .catch that logs). In tests vitest fails the run on one, so there
    // `void` is the loud choice and stays allowed.
    files: ["src/**/*.ts"],
    rules: { "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: false }] },
  },
  {
    // Imports only go down the layers (ARCHITECTURE.md §2); every file under src/ belongs to a layer.
    files: ["src/**/*.ts"],
    plugins: { boundaries },
    settings: {
      "boundaries/elements": elements,
      "boundaries/files": files,
      // Re-exports and `await import()` are dependencies too.
      "boundaries/dependency-nodes": ["import", "export", "dynamic-import"],
      "boundaries/include": ["src/**/*.ts"],
    },
    rules: {
      "boundaries/dependencies": ["error", { default: "disallow", policies }],
      "boundaries/no-unknown-files": "error",
      "boundaries/no-unknown-dependencies": "error",
    },
  },
  {
    // Entry points read the environment once, to hand it to loadEnv.
    files: ["src/config/env.ts", "test/**", "bench/**", "src/cli/**", "src/cli.ts", "src/server.ts", "src/index.ts"],
    rules: { "no-restricted-properties": "off" },
  },
);
