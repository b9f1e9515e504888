import { mkdtemp, realpath, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveInWorkspace, toWorkspaceRelative } from "../../src/security/paths.ts";
import { ToolError } from "../../src/errors.ts";
import { makeRepo, type TestRepo } from "../tools/helpers.ts";

let repo: TestRepo;
let realRepo: string;

beforeEach(async () => {
  repo = await makeRepo({ "src/a.ts": "export const a = 1;\n", "README.md": "hi\n" });
  realRepo = await realpath(repo.repoDir);
});
afterEach(() => repo.cleanup());

async function refusal(requested: string, write = false): Promise<string> {
  const err = await resolveInWorkspace(repo.repoDir, requested, { write }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return (err as ToolError).message;
}

describe("resolveInWorkspace", () => {
  it("resolves a relative path to the file's real path", async () => {
    expect(await resolveInWorkspace(repo.repoDir, "src/a.ts")).toBe(path.join(realRepo, "src/a.ts"));
    expect(await resolveInWorkspace(repo.repoDir, "./src/../README.md")).toBe(path.join(realRepo, "README.md"));
  });

  it("accepts an absolute path inside the repository", async () => {
    expect(await resolveInWorkspace(repo.repoDir, repo.file("src/a.ts"))).toBe(path.join(realRepo, "src/a.ts"));
  });

  it("treats an empty path as the repository root", async () => {
    expect(await resolveInWorkspace(repo.repoDir, "")).toBe(realRepo);
  });

  it("refuses a relative path that climbs out of the repository", async () => {
    expect(await refusal("../x")).toMatch(/`\.\.\/x` is outside the repository.*relative to the repository root/);
    expect(await refusal("src/../../../etc/passwd", true)).toMatch(/outside the repository/);
  });

  it("refuses an absolute path outside the repository", async () => {
    expect(await refusal("/etc/passwd")).toMatch(/`\/etc\/passwd` is outside the repository/);
    expect(await refusal("/tmp/evil.sh", true)).toMatch(/outside the repository/);
  });

  it("refuses reading and writing through a symlink planted in the repository that points to /etc, naming the link", async () => {
    await symlink("/etc", repo.file("etc-link"));
    expect(await refusal("etc-link/passwd")).toMatch(
      /`etc-link\/passwd` leads outside the repository through the symlink `etc-link` \(→ \/etc\)/,
    );
    expect(await refusal("etc-link/new-file", true)).toMatch(
      /leads outside the repository through the symlink `etc-link`.*can be changed/,
    );
    expect(await refusal("etc-link")).toMatch(/leads outside/);
  });

  it("refuses a write through a dangling symlink whose target is outside", async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), "issuesmith-outside-"));
    try {
      await symlink(path.join(outside, "not-yet.txt"), repo.file("dangling"));
      expect(await refusal("dangling", true)).toMatch(/leads outside the repository through the symlink `dangling`/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("follows a symlink that stays inside the repository", async () => {
    await symlink("src", repo.file("source"));
    expect(await resolveInWorkspace(repo.repoDir, "source/a.ts")).toBe(path.join(realRepo, "src/a.ts"));
  });

  it("refuses anything inside .git/, for reading and writing, however the path is spelled", async () => {
    expect(await refusal(".git/config")).toMatch(/inside `\.git\/`/);
    expect(await refusal(".git/hooks/pre-commit", true)).toMatch(/inside `\.git\/`/);
    expect(await refusal("src/../.git/HEAD")).toMatch(/inside `\.git\/`/);
    expect(await refusal(".git", true)).toMatch(/inside `\.git\/`/);
    await symlink(".git", repo.file("g"));
    expect(await refusal("g/config", true)).toMatch(/inside `\.git\/`/);
  });

  it("says a file to read does not exist, but allows writing a new file in a new directory", async () => {
    expect(await refusal("src/missing.ts")).toMatch(/`src\/missing.ts` does not exist.*search/);
    expect(await resolveInWorkspace(repo.repoDir, "new/dir/file.ts", { write: true })).toBe(
      path.join(realRepo, "new/dir/file.ts"),
    );
  });

  it("refuses to write the repository root itself", async () => {
    expect(await refusal(".", true)).toMatch(/repository root itself/);
  });

  it("works when the workspace path itself goes through a symlink", async () => {
    const alias = path.join(repo.workspace.root, "alias");
    await symlink(repo.repoDir, alias);
    expect(await resolveInWorkspace(alias, "src/a.ts")).toBe(path.join(realRepo, "src/a.ts"));
    expect(await resolveInWorkspace(alias, path.join(alias, "README.md"))).toBe(path.join(realRepo, "README.md"));
    await expect(resolveInWorkspace(alias, "../repo/../../x")).rejects.toThrow(/outside the repository/);
  });
});

describe("toWorkspaceRelative", () => {
  it("gives posix paths relative to the repository, and '.' for the root", async () => {
    expect(toWorkspaceRelative(repo.repoDir, path.join(realRepo, "src/a.ts"))).toBe("src/a.ts");
    expect(toWorkspaceRelative(repo.repoDir, repo.file("src/a.ts"))).toBe("src/a.ts");
    expect(toWorkspaceRelative(repo.repoDir, realRepo)).toBe(".");
  });
});
