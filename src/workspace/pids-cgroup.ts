// A per-command pids cgroup: the one limit that stops a fork bomb when the app
// runs as root. RLIMIT_NPROC (`ulimit -u`) is never enforced for real uid 0,
// not even inside bwrap's user namespace (it maps the sandbox to uid 0), so a
// cgroup is the only kernel counter left. Used when the host lets us create
// one (cgroup v1 `pids` hierarchy, or a delegated cgroup v2 subtree).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface RunCgroup {
  /** Write a pid here to move that process (and its future children) in. */
  readonly procsFile: string;
  /** Forks refused because the limit was reached. */
  refusals(): number;
  /** Kills whatever is left inside and removes the cgroup; false when it could not. */
  close(): Promise<boolean>;
}

export interface PidsCgroup {
  readonly version: 1 | 2;
  /** The app's own directory in the hierarchy, holding one cgroup per running command. */
  readonly dir: string;
  /** A fresh cgroup for one command, allowing at most maxTasks processes and threads. */
  open(maxTasks: number): RunCgroup;
}

const OWN_DIR = "issuesmith";
let sequence = 0;

/** Finds a pids controller this process may create cgroups in, or undefined. */
export function findPidsCgroup(): PidsCgroup | undefined {
  let ownCgroups: string;
  let mountinfo: string;
  try {
    ownCgroups = readFileSync("/proc/self/cgroup", "utf8");
    mountinfo = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return undefined;
  }
  for (const candidate of candidates(ownCgroups, mountinfo)) {
    const found = tryCandidate(candidate.version, candidate.dir);
    if (found) return found;
  }
  return undefined;
}

interface Candidate {
  version: 1 | 2;
  dir: string;
}

function candidates(ownCgroups: string, mountinfo: string): Candidate[] {
  const own = new Map<string, string>(); // "pids" or "" (v2) -> our path in that hierarchy
  for (const line of ownCgroups.split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    for (const controller of match[1]!.split(",")) own.set(controller, match[2]!);
  }
  const out: Candidate[] = [];
  for (const line of mountinfo.split("\n")) {
    const [before, after] = line.split(" - ");
    if (!before || !after) continue;
    const fields = before.split(" ");
    const [fstype, , superOptions = ""] = after.split(" ");
    const root = fields[3];
    const mountPoint = fields[4]?.replace(/\\040/g, " ");
    if (!root || !mountPoint) continue;
    let version: 1 | 2;
    let ownPath: string | undefined;
    if (fstype === "cgroup" && superOptions.split(",").includes("pids")) {
      version = 1;
      ownPath = own.get("pids");
    } else if (fstype === "cgroup2") {
      version = 2;
      ownPath = own.get("");
    } else {
      continue;
    }
    if (ownPath === undefined) continue;
    const rel = path.posix.relative(root, ownPath);
    if (rel.startsWith("..")) continue;
    out.push({ version, dir: path.join(mountPoint, rel) });
  }
  // v1 first: it has no "no internal processes" rule to trip over.
  return out.sort((a, b) => a.version - b.version);
}

function tryCandidate(version: 1 | 2, parent: string): PidsCgroup | undefined {
  try {
    if (version === 2) {
      const controllers = readFileSync(path.join(parent, "cgroup.controllers"), "utf8").split(/\s+/);
      if (!controllers.includes("pids")) return undefined;
      // Refused (EBUSY) when our own cgroup holds processes and is not the root: then v2 is not ours to use.
      writeFileSync(path.join(parent, "cgroup.subtree_control"), "+pids");
    }
    const dir = path.join(parent, OWN_DIR);
    mkdirSync(dir, { recursive: true });
    if (version === 2) writeFileSync(path.join(dir, "cgroup.subtree_control"), "+pids");
    removeStale(dir);
    const cgroup = makePidsCgroup(version, dir);
    // Prove we can make one and set its limit; joining it is proved by the runner's probe.
    const probe = cgroup.open(8);
    // Not awaited (detection is synchronous); a probe left behind is removed by removeStale at the next start.
    void probe.close().catch(() => false);
    return cgroup;
  } catch {
    return undefined;
  }
}

function makePidsCgroup(version: 1 | 2, dir: string): PidsCgroup {
  return {
    version,
    dir,
    open(maxTasks: number): RunCgroup {
      const runDir = path.join(dir, `${process.pid}-${++sequence}`);
      mkdirSync(runDir);
      try {
        writeFileSync(path.join(runDir, "pids.max"), String(maxTasks));
      } catch (error) {
        rmdirSync(runDir);
        throw error;
      }
      return {
        procsFile: path.join(runDir, "cgroup.procs"),
        refusals: () => readRefusals(runDir),
        close: () => removeCgroup(runDir, version),
      };
    },
  };
}

function readRefusals(runDir: string): number {
  try {
    const events = readFileSync(path.join(runDir, "pids.events"), "utf8");
    return Number(/^max (\d+)/m.exec(events)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Kill everything inside, then remove it; processes take a moment to be reaped. */
async function removeCgroup(runDir: string, version: 1 | 2): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (killAll(runDir, version) === 0) {
      try {
        rmdirSync(runDir);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
      }
    }
    await sleep(attempt < 20 ? 2 : 20);
  }
  return false;
}

function killAll(runDir: string, version: 1 | 2): number {
  if (version === 2 && existsSync(path.join(runDir, "cgroup.kill"))) {
    try {
      writeFileSync(path.join(runDir, "cgroup.kill"), "1");
    } catch {
      /* fall back to one by one */
    }
  }
  let pids: number[];
  try {
    pids = readFileSync(path.join(runDir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  return pids.length;
}

/** Cgroups left by an app process that died without cleaning up. */
function removeStale(dir: string): void {
  for (const name of readdirSync(dir)) {
    const owner = Number(name.split("-")[0]);
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || isAlive(owner)) continue;
    const runDir = path.join(dir, name);
    killAll(runDir, 1);
    try {
      rmdirSync(runDir);
    } catch {
      /* still busy: the next start-up tries again */
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
