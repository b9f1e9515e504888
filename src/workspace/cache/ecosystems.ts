// What the dependency cache knows of each package manager: the setup
// commands whose whole effect is installing from a lockfile, the lockfiles
// that decide the result, where the installed tree lands (in the checkout or
// in the job's HOME), and a quick offline command that checks a tree put back
// from the cache. A setup command not listed here runs as it is, uncached.
export interface Ecosystem {
  name: string;
  /** Setup commands, exactly as written (the detected ones among them). */
  commands: string[];
  /** Lockfiles at the repository root; the first that exists is used (all that exist enter the key). */
  lockfiles: string[];
  /** Installed trees relative to the checkout. */
  repoDirs: string[];
  /** Installed trees relative to the job's HOME. */
  homeDirs: string[];
  /** Run offline after a restore; a failure means a full install instead. */
  check: string;
}

export const ECOSYSTEMS: Ecosystem[] = [
  {
    name: "npm",
    commands: ["npm ci", "npm install", "npm i"],
    lockfiles: ["package-lock.json", "npm-shrinkwrap.json"],
    repoDirs: ["node_modules"],
    homeDirs: [],
    check: "npm ls --all --offline >/dev/null",
  },
  {
    name: "pnpm",
    commands: ["pnpm install --frozen-lockfile", "pnpm install", "pnpm i"],
    lockfiles: ["pnpm-lock.yaml"],
    repoDirs: ["node_modules"],
    homeDirs: [],
    check: "pnpm install --frozen-lockfile --offline",
  },
  {
    name: "yarn",
    commands: ["yarn install --frozen-lockfile", "yarn install", "yarn"],
    lockfiles: ["yarn.lock"],
    repoDirs: ["node_modules"],
    homeDirs: [],
    check: "yarn check --verify-tree --offline",
  },
  {
    name: "uv",
    commands: ["uv sync --frozen", "uv sync --locked", "uv sync"],
    lockfiles: ["uv.lock"],
    repoDirs: [".venv"],
    homeDirs: [],
    check: "uv sync --frozen --offline",
  },
  {
    name: "go",
    commands: ["go mod download"],
    lockfiles: ["go.sum"],
    repoDirs: [],
    homeDirs: ["go/pkg/mod"],
    check: "go mod verify",
  },
  {
    name: "cargo",
    commands: ["cargo fetch", "cargo fetch --locked"],
    lockfiles: ["Cargo.lock"],
    repoDirs: [],
    homeDirs: [".cargo/registry"],
    check: "cargo fetch --locked --offline",
  },
];

export function ecosystemOf(command: string): Ecosystem | undefined {
  const normal = command.trim().replace(/\s+/g, " ");
  return ECOSYSTEMS.find((e) => e.commands.includes(normal));
}
