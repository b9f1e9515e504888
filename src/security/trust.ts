// The trust boundary's one rule book (ARCHITECTURE.md §6). Trusted is the
// base branch as it was when the job started; untrusted is anything the
// agent or a fork changed. Given the paths that differ from the base, this
// says which of them belong to the test machinery (a run with secrets needs
// it unchanged) and which to the install machinery (setup with network runs
// the base's). When unsure, a path counts: a false alarm costs a secret-free
// run or an uninstalled dependency, a miss runs untrusted code with secrets.

/** What the rules need to know besides the changed paths. */
export interface TrustInputs {
  /** Paths (relative, posix) that differ between the base commit and the workspace, new files included. */
  changed: readonly string[];
  testCommand: string | undefined;
  setupCommand: string | undefined;
  /** `scripts` of the base's root package.json, if it has one. */
  baseScripts?: Readonly<Record<string, string>> | undefined;
}

export interface TrustVerdict {
  /** Changed paths the test command runs or reads before any test: a run with secrets needs none. */
  testMachinery: string[];
  /** Changed manifests, lockfiles and install scripts: not what setup installed. */
  installMachinery: string[];
}

/** Manifests and configs that decide how tests run, by file name at any depth. */
const TEST_NAMES = new Set([
  "package.json",
  ".npmrc",
  ".yarnrc",
  ".yarnrc.yml",
  ".pnpmfile.cjs",
  "bunfig.toml",
  "deno.json",
  "deno.jsonc",
  "jsconfig.json",
  ".swcrc",
  "conftest.py",
  "pytest.ini",
  "pyproject.toml",
  "setup.cfg",
  "setup.py",
  "tox.ini",
  "noxfile.py",
  ".coveragerc",
  "sitecustomize.py",
  "usercustomize.py",
  "Makefile",
  "makefile",
  "GNUmakefile",
  "justfile",
  "Justfile",
  "Taskfile.yml",
  "Taskfile.yaml",
  "Rakefile",
  "Gemfile",
  ".rspec",
  "spec_helper.rb",
  "rails_helper.rb",
  "test_helper.rb",
  "Cargo.toml",
  "build.rs",
  "go.mod",
  "go.work",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "settings.gradle",
  "settings.gradle.kts",
  "gradle.properties",
  "gradlew",
  "phpunit.xml",
  "phpunit.xml.dist",
  "composer.json",
  "CMakeLists.txt",
  "meson.build",
]);

/** Configs by shape: any `*.config.js`-like file, rc files of test tools, env files loaded by runners, setup files by convention. */
const TEST_NAME_PATTERNS = [
  /\.(config|conf|workspace)(\.[\w-]+)?\.(c|m)?[jt]sx?$/,
  /^\.(mocharc|babelrc|nycrc|c8rc|jasmine|taprc|lintstagedrc)/,
  /^tsconfig.*\.json$/,
  /^\.env(\..+)?$/,
  /\.pth$/,
  /\.mk$/,
  /^(setup|global-?setup|global-?teardown|test-?setup|setup-?tests?|jest\.setup|vitest\.setup)\.(c|m)?[jt]sx?$/i,
];

/** Directories whose files the tools above load (plugins, wrappers), and modules that would shadow a runner. */
const TEST_DIRS = [".yarn", ".cargo", ".mvn", "gradle", "node_modules", ".config"];
const TOP_LEVEL_SHADOWS = /^(_?pytest|pluggy|py|unittest|nose2?|coverage)(\.py|\/)/;

/** Manifests, lockfiles and install configuration, by file name at any depth. */
const INSTALL_NAMES = new Set([
  "package.json",
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "bun.lock",
  "bun.lockb",
  ".npmrc",
  ".yarnrc",
  ".yarnrc.yml",
  ".pnpmfile.cjs",
  "bunfig.toml",
  "deno.json",
  "deno.jsonc",
  "deno.lock",
  ".nvmrc",
  ".node-version",
  ".tool-versions",
  "setup.py",
  "setup.cfg",
  "pyproject.toml",
  "poetry.lock",
  "Pipfile",
  "Pipfile.lock",
  "uv.lock",
  "pdm.lock",
  "pip.conf",
  "environment.yml",
  ".python-version",
  "go.mod",
  "go.sum",
  "go.work",
  "go.work.sum",
  "Cargo.toml",
  "Cargo.lock",
  "build.rs",
  "Gemfile",
  "Gemfile.lock",
  "composer.json",
  "composer.lock",
  "Makefile",
  "makefile",
  "GNUmakefile",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "settings.gradle",
  "settings.gradle.kts",
  "gradle.properties",
  "gradlew",
  "flake.nix",
  "flake.lock",
  "default.nix",
  "shell.nix",
]);
const INSTALL_NAME_PATTERNS = [/^requirements.*\.(txt|in)$/, /^constraints.*\.txt$/, /\.gemspec$/, /\.mk$/];
const INSTALL_DIRS = [".yarn", ".cargo", ".mvn", "gradle", "requirements", ".bundle"];

/** npm lifecycle scripts of the root package that run on install, and those that run around `npm test`. */
const INSTALL_SCRIPTS = [
  "preinstall",
  "install",
  "postinstall",
  "prepare",
  "preprepare",
  "postprepare",
  "prepublish",
  "dependencies",
];
const TEST_SCRIPTS = ["pretest", "test", "posttest"];

export function assessTrust(input: TrustInputs): TrustVerdict {
  const scripts = input.baseScripts ?? {};
  const testRefs = [...referencedPaths(input.testCommand), ...scriptReferences(scripts, TEST_SCRIPTS)];
  const installRefs = [...referencedPaths(input.setupCommand), ...scriptReferences(scripts, INSTALL_SCRIPTS)];
  const testMachinery: string[] = [];
  const installMachinery: string[] = [];
  for (const raw of input.changed) {
    const p = raw.replace(/^\.\//, "");
    if (isTestMachinery(p) || refersTo(testRefs, p)) testMachinery.push(p);
    if (isInstallMachinery(p) || refersTo(installRefs, p)) installMachinery.push(p);
  }
  return { testMachinery, installMachinery };
}

export function isTestMachinery(p: string): boolean {
  const name = basename(p);
  if (TEST_NAMES.has(name) || TEST_NAME_PATTERNS.some((re) => re.test(name))) return true;
  if (TOP_LEVEL_SHADOWS.test(p)) return true;
  return inDir(p, TEST_DIRS);
}

export function isInstallMachinery(p: string): boolean {
  const name = basename(p);
  if (INSTALL_NAMES.has(name) || INSTALL_NAME_PATTERNS.some((re) => re.test(name))) return true;
  return inDir(p, INSTALL_DIRS);
}

/**
 * The files a command line names: every word that looks like a path (has a
 * slash, or a script's extension). `./scripts/test.sh --ci && node tools/x.js`
 * names scripts/test.sh and tools/x.js.
 */
export function referencedPaths(command: string | undefined): string[] {
  if (!command) return [];
  const words = command.split(/[\s;&|()<>`'"=]+/).filter(Boolean);
  const out: string[] = [];
  for (const w of words) {
    if (w.startsWith("-") || /^[a-z][\w+.-]*:\/\//i.test(w) || w.startsWith("$")) continue;
    if (!w.includes("/") && !/\.(sh|bash|js|mjs|cjs|ts|mts|cts|py|rb|pl|php|ps1)$/.test(w)) continue;
    const p = w.replace(/^\.\//, "").replace(/\/+$/, "");
    if (p && !p.startsWith("/") && !p.startsWith("..")) out.push(p);
  }
  return out;
}

/** Paths named by the given npm scripts and by the scripts they run in turn (`npm run x`, `yarn x`, `pnpm x`). */
function scriptReferences(scripts: Readonly<Record<string, string>>, names: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...names];
  const out: string[] = [];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const body = scripts[name];
    if (typeof body !== "string") continue;
    out.push(...referencedPaths(body));
    for (const m of body.matchAll(/\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?([\w:.-]+)/g)) {
      const called = m[1]!;
      queue.push(called, `pre${called}`, `post${called}`);
    }
  }
  return out;
}

function refersTo(refs: string[], p: string): boolean {
  // A directory entry holds whatever a reference names inside it.
  return refs.some((r) => p === r || p.startsWith(`${r}/`) || (p.endsWith("/") && r.startsWith(p)));
}

function inDir(p: string, dirs: string[]): boolean {
  const parts = p.split("/").slice(0, -1);
  return parts.some((d) => dirs.includes(d));
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** The names of changed paths, briefly, for a report line. */
export function pathList(paths: readonly string[], max = 8): string {
  const shown = paths.slice(0, max).map((p) => `\`${p}\``);
  return paths.length > max ? `${shown.join(", ")} and ${paths.length - max} more` : shown.join(", ");
}
