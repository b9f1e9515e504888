// The fake GitHub for end-to-end tests; see fake-github/index.ts.
export * from "./fake-github/index.ts";
