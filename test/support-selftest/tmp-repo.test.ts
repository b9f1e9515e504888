import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tmpRepo } from "../support/tmp-repo.ts";

describe("tmpRepo", () => {
  it("makes a repository with the files and extra commits, and removes it on cleanup", async () => {
    const repo = await tmpRepo({
      files: { "package.json": '{"name":"x"}\n', "src/a.js": "1\n" },
      commits: [
        { message: "Change a", files: { "src/a.js": "2\n" } },
        { message: "Drop package.json", files: { "package.json": null } },
      ],
    });
    try {
      expect((await repo.git(["log", "--format=%s"])).trim().split("\n")).toEqual([
        "Drop package.json",
        "Change a",
        "Initial commit",
      ]);
      expect(await readFile(join(repo.dir, "src/a.js"), "utf8")).toBe("2\n");
      expect(existsSync(join(repo.dir, "package.json"))).toBe(false);
      expect((await repo.git(["status", "--porcelain"])).trim()).toBe("");
      expect((await repo.git(["branch", "--show-current"])).trim()).toBe("main");
    } finally {
      await repo.cleanup();
    }
    expect(existsSync(repo.dir)).toBe(false);
  });

  it("reports a failing git command with git's own message", async () => {
    const repo = await tmpRepo({ files: { "a.txt": "a\n" } });
    try {
      await expect(repo.git(["checkout", "no-such-branch"])).rejects.toThrow(/no-such-branch/);
    } finally {
      await repo.cleanup();
    }
  });
});
