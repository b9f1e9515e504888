import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end tests spawn git, servers and sandboxes; two cores do not
    // benefit from more parallel files than this.
    maxWorkers: 2,
  },
});
