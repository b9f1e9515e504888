// The scan before a push: diffs made by real git, secrets found on added lines
// only, excerpts that leak nothing, and ordinary code left alone.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Redactor } from "../../src/security/redact.ts";
import { describeFindings, scanDiff, scanSizes } from "../../src/security/secret-scan.ts";

const MAX = 1024 * 1024;
const repos: string[] = [];
afterEach(() => {
  for (const dir of repos.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A repo with `before` committed, then `after` written and staged; returns `git diff --cached --binary`. */
function gitDiff(before: Record<string, string | Buffer>, after: Record<string, string | Buffer | null>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "issuesmith-scan-"));
  repos.push(dir);
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir, encoding: "utf8" });
  git("init", "-q");
  const write = (files: Record<string, string | Buffer | null>) => {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(dir, name);
      if (content === null) {
        rmSync(file);
        continue;
      }
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  };
  write(before);
  git("add", "-A");
  git("commit", "-q", "--allow-empty", "-m", "before");
  write(after);
  git("add", "-A");
  return git("diff", "--cached", "--binary");
}

const ghs = `ghs_${randomBytes(27).toString("base64url").replace(/[-_]/g, "a").slice(0, 36)}`;

describe("scanDiff", () => {
  it("finds an installation token added to a config file, naming path and line, without repeating it", () => {
    const diff = gitDiff({ "config/app.env": "PORT=3000\n" }, { "config/app.env": `PORT=3000\nGITHUB_TOKEN=${ghs}\n` });
    const findings = scanDiff(diff, { maxFileBytes: MAX });
    expect(findings).toEqual([
      { path: "config/app.env", line: 2, kind: "github-token", excerpt: "GITHUB_TOKEN=[REDACTED]" },
    ]);
    expect(JSON.stringify(findings)).not.toContain(ghs.slice(4));
  });

  it("refuses a private key once, at its BEGIN line, not once per line of its body", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const diff = gitDiff({}, { "deploy/key.pem": pem, "README.md": "# hi\n" });
    const findings = scanDiff(diff, { maxFileBytes: MAX });
    expect(findings).toEqual([
      { path: "deploy/key.pem", line: 1, kind: "private-key", excerpt: "-----BEGIN PRIVATE KEY-----" },
    ]);
  });

  it("lets a certificate through: PEM bodies are expected base64", () => {
    const cert = [
      "-----BEGIN CERTIFICATE-----",
      ...Array.from({ length: 10 }, () => randomBytes(48).toString("base64")),
      "-----END CERTIFICATE-----",
      "",
    ].join("\n");
    expect(scanDiff(gitDiff({}, { "certs/ca.pem": cert }), { maxFileBytes: MAX })).toEqual([]);
  });

  it("finds any value the redactor knows, even when nothing about it looks secret", () => {
    const known = new Redactor(["correct-horse-battery"]);
    const diff = gitDiff(
      { "test/db.ts": "export const url = 'x';\n" },
      { "test/db.ts": "export const password = 'correct-horse-battery';\n" },
    );
    expect(scanDiff(diff, { maxFileBytes: MAX, knownSecrets: known })).toEqual([
      { path: "test/db.ts", line: 1, kind: "known-secret", excerpt: "export const password = '[REDACTED]';" },
    ]);
  });

  it("finds a generated-looking string by its entropy", () => {
    const key = randomBytes(32).toString("base64");
    const diff = gitDiff({}, { "src/client.ts": `const signingKey = "${key}";\n` });
    const [finding, ...rest] = scanDiff(diff, { maxFileBytes: MAX });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ path: "src/client.ts", line: 1, kind: "high-entropy" });
    expect(finding?.excerpt).toBe('const signingKey = "[REDACTED]";');
  });

  it("finds a token hidden in base64 (a Basic auth value)", () => {
    const basic = Buffer.from(`x-access-token:${ghs}`).toString("base64");
    const findings = scanDiff(gitDiff({}, { "scripts/push.sh": `curl -H "X-Auth: ${basic}" https://example.test\n` }), {
      maxFileBytes: MAX,
    });
    expect(findings.map((f) => f.kind)).toContain("github-token");
    expect(JSON.stringify(findings)).not.toContain(basic);
  });

  it("knows the other common token shapes", () => {
    const tokens = {
      "api-key": `sk-proj-${randomBytes(30).toString("base64url")}A1`,
      "aws-access-key": "AKIA" + "Q3EGRZ7LKD2VX5NB",
      "slack-token": "xoxb-" + "1234567890-abcdefghij",
      "npm-token": "npm_" + "a".repeat(18) + "B".repeat(18),
      "google-api-key": "AIza" + "S".repeat(35),
      "stripe-key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    };
    const file =
      Object.values(tokens)
        .map((t, i) => `value${i} = "${t}"`)
        .join("\n") + "\n";
    const findings = scanDiff(gitDiff({}, { "settings.py": file }), { maxFileBytes: MAX });
    for (const [kind, token] of Object.entries(tokens)) {
      expect(
        findings.find((f) => f.kind === kind),
        kind,
      ).toBeDefined();
      expect(JSON.stringify(findings)).not.toContain(token);
    }
  });

  it("looks at added lines only: removing a secret or keeping it as context is not adding one", () => {
    const before = { "old.env": `TOKEN=${ghs}\nA=1\nB=2\n`, "ctx.env": `TOKEN=${ghs}\nA=1\n` };
    const diff = gitDiff(before, { "old.env": "A=1\nB=2\n", "ctx.env": `TOKEN=${ghs}\nA=2\n` });
    expect(scanDiff(diff, { maxFileBytes: MAX })).toEqual([]);
  });

  it("leaves ordinary code, source maps and this repository's lockfile alone", () => {
    const files = [
      "node_modules/simple-git/dist/index.cjs",
      "node_modules/simple-git/dist/index.cjs.map",
      "node_modules/yaml/dist/compose/composer.js",
      "node_modules/zod/v4/core/regexes.js",
      "package-lock.json",
    ];
    const after = Object.fromEntries(
      files.map((f) => [f.replace(/^node_modules\//, "vendor/"), readFileSync(f, "utf8")]),
    );
    const diff = gitDiff({}, after);
    expect(diff.length).toBeGreaterThan(200_000);
    expect(scanDiff(diff, { maxFileBytes: 10 * MAX })).toEqual([]);
  });

  it("still finds a token in a lockfile, where only entropy is ignored", () => {
    const lock = `{\n  "resolved": "https://x-access-token:${ghs}@npm.example.test/a.tgz",\n  "integrity": "sha512-${randomBytes(64).toString("base64")}"\n}\n`;
    const findings = scanDiff(gitDiff({}, { "package-lock.json": lock }), { maxFileBytes: MAX });
    expect(findings.map((f) => [f.line, f.kind])).toEqual([[2, "github-token"]]);
  });

  it("leaves integrity hashes, commit pins, UUIDs, model names and placeholders alone", () => {
    const text = [
      '<script src="x.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"></script>',
      "      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11",
      'const id = "550e8400-e29b-41d4-a716-446655440000";',
      'model: "gpt-4o-mini-realtime-preview-2024-12-17"',
      "const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';",
      "const awsExample = 'AKIAIOSFODNN7EXAMPLE'; // from the AWS docs",
      "see https://github.com/org/repo/commit/80febe441c2dc2d110b412be022fe044bbae2cd9 (token refresh fix)",
      "pip install sk-learn-contributors-guidelines",
      "",
    ].join("\n");
    expect(scanDiff(gitDiff({}, { "docs/notes.md": text }), { maxFileBytes: MAX })).toEqual([]);
  });

  it("counts hex as a secret only where the line names one", () => {
    const hex = randomBytes(20).toString("hex");
    const findings = scanDiff(gitDiff({}, { "a.ts": `const commit = "${hex}";\nconst apiKey = "${hex}";\n` }), {
      maxFileBytes: MAX,
    });
    expect(findings).toEqual([
      { path: "a.ts", line: 2, kind: "high-entropy", excerpt: 'const apiKey = "[REDACTED]";' },
    ]);
  });

  it("reports a text file adding more than the size limit, and a large binary by its declared size", () => {
    const diff = gitDiff(
      {},
      { "data/big.csv": "x,y\n".repeat(5_000), "assets/blob.bin": randomBytes(30_000), "small.txt": "ok\n" },
    );
    expect(scanDiff(diff, { maxFileBytes: 16 * 1024 })).toEqual([
      { path: "assets/blob.bin", kind: "oversized-file", excerpt: "adds 29.3 KiB, over the limit of 16.0 KiB" },
      { path: "data/big.csv", kind: "oversized-file", excerpt: "adds 19.5 KiB, over the limit of 16.0 KiB" },
    ]);
  });

  it("reads added lines that start with ++ as content, and quoted unicode paths as names", () => {
    const diff = gitDiff({ "notes/naïve.txt": "a\n" }, { "notes/naïve.txt": `a\n++${ghs}\n` });
    expect(diff).toContain('"b/notes/na\\303\\257ve.txt"');
    expect(scanDiff(diff, { maxFileBytes: MAX })).toEqual([
      { path: "notes/naïve.txt", line: 2, kind: "github-token", excerpt: "++[REDACTED]" },
    ]);
  });
});

describe("scanSizes", () => {
  it("names files over the limit with their size", () => {
    expect(
      scanSizes(
        [
          { path: "video.mp4", bytes: 12 * 1024 * 1024 },
          { path: "src/a.ts", bytes: 900 },
        ],
        MAX,
      ),
    ).toEqual([{ path: "video.mp4", kind: "oversized-file", excerpt: "12.0 MiB, over the limit of 1.0 MiB" }]);
  });
});

describe("describeFindings", () => {
  it("says nothing was pushed, where each finding is, and what to do", () => {
    const text = describeFindings([
      { path: "config/app.env", line: 2, kind: "github-token", excerpt: "GITHUB_TOKEN=[REDACTED]" },
      { path: "video.mp4", kind: "oversized-file", excerpt: "12.0 MiB, over the limit of 1.0 MiB" },
    ]);
    expect(text).toBe(
      [
        "Nothing was pushed: the changes contain what looks like secrets or oversized files.",
        "- `config/app.env` line 2: a GitHub token — `GITHUB_TOKEN=[REDACTED]`",
        "- `video.mp4`: a file over the size limit — `12.0 MiB, over the limit of 1.0 MiB`",
        "If a value is a real secret, rotate it. If it is a false alarm (test data), ask again with the value built at run time or moved out of the diff.",
      ].join("\n"),
    );
  });
});
