// git's failures sorted by their kind, from what real git prints against a
// loopback server answering each way: a refused token is the user's to fix
// (UserError), the network or a failing server is retried (Transient).
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Transient, UserError } from "../../src/errors.ts";
import { gitFailure } from "../../src/workspace/git-env.ts";
import { GitWorkspace } from "../../src/workspace/git.ts";
import { tmpRepo } from "../support/tmp-repo.ts";

let server: Server;
let port: number;

beforeAll(async () => {
  // The path says how to answer: /<status>/..., or /reset/... to drop the connection.
  server = createServer((req, res) => {
    const how = (req.url ?? "").split("/")[1] ?? "";
    if (how === "reset") return req.socket.destroy();
    const status = Number(how);
    const headers = status === 401 ? { "www-authenticate": 'Basic realm="git"' } : {};
    res
      .writeHead(status, { "content-type": "text/plain", ...headers })
      .end(status === 404 ? "Repository not found." : "down");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** What `git ls-remote <url>` says, as simple-git would hand it to us. */
function gitStderr(url: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      "git",
      ["-c", "http.extraHeader=Authorization: Basic eC1hY2Nlc3MtdG9rZW46dA==", "ls-remote", url],
      {
        env: {
          PATH: "/usr/local/bin:/usr/bin:/bin",
          HOME: "/nonexistent",
          GIT_TERMINAL_PROMPT: "0",
          GIT_CONFIG_NOSYSTEM: "1",
        },
      },
      (error, _stdout, stderr) => (error ? resolve(stderr) : reject(new Error(`git succeeded against ${url}`))),
    ),
  );
}

describe("a git failure's kind comes from git's words, never from numbers in the URL", () => {
  // Repository names full of the numbers the statuses use: the URL git quotes must not decide the kind.
  it.each([
    ["401", UserError],
    ["403", UserError],
    ["404", UserError],
    ["429", Transient],
    ["500", Transient],
    ["502", Transient],
    ["503", Transient],
    ["504", Transient],
    ["reset", Transient],
  ])("answered %s", async (how, kind) => {
    for (const name of ["widgets", "api-401-403-404", "api-500-502-503"]) {
      const stderr = await gitStderr(`http://127.0.0.1:${port}/${how}/acme/${name}.git`);
      const failure = gitFailure("fetch", new Error(stderr));
      expect(failure, `${name}: ${stderr}`).toBeInstanceOf(kind);
    }
  });

  it("a refused connection is the network's", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    for (const url of [`http://127.0.0.1:${free}/acme/widgets.git`]) {
      const failure = gitFailure("clone", new Error(await gitStderr(url)));
      expect(failure, url).toBeInstanceOf(Transient);
      expect(failure.message).toMatch(/^git clone failed on the network: fatal: unable to access/);
    }
  });

  it("a port holding 401 or 403 leaves a 503 a network failure (the port once decided it)", () => {
    for (const p of [40137, 40361, 14013, 54403]) {
      const stderr = `remote: down\nfatal: unable to access 'http://127.0.0.1:${p}/acme/widgets.git/': The requested URL returned error: 503\n`;
      const failure = gitFailure("fetch", new Error(stderr));
      expect(failure).toBeInstanceOf(Transient);
      // the headline is git's own verdict, not the server's first remote: line
      expect(failure.message).toBe(
        `git fetch failed on the network: fatal: unable to access 'http://127.0.0.1:${p}/acme/widgets.git/': The requested URL returned error: 503`,
      );
    }
  });

  it("a port holding 503 leaves a refused token the user's", () => {
    const stderr = `remote: nope\nfatal: unable to access 'http://127.0.0.1:50321/acme/widgets.git/': The requested URL returned error: 403\n`;
    expect(gitFailure("fetch", new Error(stderr))).toBeInstanceOf(UserError);
  });

  it("anything else is neither: a plain error with git's verdict", () => {
    const failure = gitFailure(
      "clone",
      new Error("warning: x\nfatal: Remote branch main not found in upstream origin\n"),
    );
    expect(failure).not.toBeInstanceOf(Transient);
    expect(failure).not.toBeInstanceOf(UserError);
    expect(failure.message).toBe("git clone failed: fatal: Remote branch main not found in upstream origin");
  });
});

describe("fetching a branch", () => {
  it("is false for a branch the remote lacks, and a refusal when the remote no longer lets the token see it", async () => {
    const remote = await tmpRepo({ files: { "a.txt": "a\n" } });
    const local = await tmpRepo({ files: { "a.txt": "a\n" } });
    try {
      const git = await GitWorkspace.open({ dir: local.dir, home: local.dir });
      await local.git(["remote", "add", "origin", remote.dir]);
      expect(await git.fetchBranch("no-such-branch")).toBe(false);
      await local.git(["remote", "set-url", "origin", `http://127.0.0.1:${port}/404/acme/widgets.git`]);
      await expect(git.fetchBranch("main")).rejects.toBeInstanceOf(UserError);
    } finally {
      await remote.cleanup();
      await local.cleanup();
    }
  });
});
