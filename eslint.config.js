import tseslint from "typescript-eslint";

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
    // Entry points read the environment once, to hand it to loadEnv.
    files: ["src/config/env.ts", "test/**", "bench/**", "src/cli/**", "src/cli.ts", "src/server.ts", "src/index.ts"],
    rules: { "no-restricted-properties": "off" },
  },
);
