// How host-side git runs for a job: an environment that carries the token only
// as http.extraHeader (GIT_CONFIG_*), turns off hooks, fsmonitor, ssh and
// credential helpers, and reads no system or global config; a simple-git
// client on it; and git's failures turned into our error kinds.
import path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";
import { Transient, UserError } from "../errors.ts";
import { pushRefusal } from "./push-refusal.ts";

export interface GitIdentity {
  name: string;
  email: string;
}

export type TokenSource = () => Promise<string>;

const SAFE_CONFIG: Array<[string, string]> = [
  ["core.hooksPath", "/dev/null"],
  ["core.fsmonitor", "false"],
  ["core.sshCommand", "false"],
  ["credential.helper", ""],
  ["protocol.ext.allow", "never"],
  ["submodule.recurse", "false"],
  ["init.defaultBranch", "main"],
  ["advice.detachedHead", "false"],
];

export function gitEnv(
  token: string | undefined,
  identity: GitIdentity | undefined,
  home: string,
): Record<string, string> {
  const config = [...SAFE_CONFIG];
  if (token) {
    config.push([
      "http.extraHeader",
      `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
    ]);
  }
  const env: Record<string, string> = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  if (identity) {
    env.GIT_AUTHOR_NAME = identity.name;
    env.GIT_AUTHOR_EMAIL = identity.email;
    env.GIT_COMMITTER_NAME = identity.name;
    env.GIT_COMMITTER_EMAIL = identity.email;
  }
  return env;
}

export function client(dir: string, env: Record<string, string>, signal?: AbortSignal): SimpleGit {
  return simpleGit({
    baseDir: dir,
    abort: signal,
    allowEnvironment: Object.keys(env),
    // simple-git guards against untrusted input setting these; ours are
    // constants that *disable* hooks, fsmonitor, ssh and credential helpers.
    unsafe: {
      allowUnsafeConfigPaths: true,
      allowUnsafeConfigEnvCount: true,
      allowUnsafeCredentialHelper: true,
      allowUnsafeHooksPath: true,
      allowUnsafeFsMonitor: true,
      allowUnsafeSshCommand: true,
      allowUnsafeProtocolOverride: true,
    },
    timeout: { block: 300_000 },
    errors: nonZeroIsFailure,
  }).env(env);
}

/**
 * simple-git takes a git that exits non-zero but prints nothing on stderr for a
 * success (its documented default, steveukx/git-js#438): a fetch killed by a
 * signal, a `rev-parse --verify -q` that found nothing, a `commit` with nothing
 * to commit (which says so on stdout). Every non-zero exit fails here.
 */
function nonZeroIsFailure(
  error: Buffer | Error | undefined,
  result: { exitCode: number | null; stdOut: Buffer[]; stdErr: Buffer[] },
): Buffer | Error | undefined {
  if (error) return error;
  if (result.exitCode === 0) return undefined;
  const said = Buffer.concat([...result.stdErr, ...result.stdOut]);
  const how =
    result.exitCode === null || result.exitCode < 0 ? "was killed by a signal" : `exited with code ${result.exitCode}`;
  return said.toString().trim() ? said : Buffer.from(`git ${how}, saying nothing`);
}

/**
 * git's own words for a credential refused, or a repository the token cannot
 * see (GitHub answers 404 for a private one). Only git's phrases and the status
 * after "returned error:" count: a bare number would match the host's port or
 * the repository's name in the URL git quotes (a fake on port 40137 once made
 * every 503 a refused token).
 */
const REFUSED =
  /Authentication failed|could not read Username|terminal prompts disabled|Repository not found|repository '[^']*' not found|returned error: 40[134]\b/i;
/** The network or the server failing: refused, reset or unanswered connections, 429 and 5xx, cut transfers. */
const NETWORK =
  /Could not resolve host|Connection refused|Couldn't connect to server|Failed to connect to|Connection reset|Empty reply from server|timed out|returned error: (?:429|5\d\d)\b|early EOF|RPC failed|remote end hung up unexpectedly|transfer closed/i;

/** Turn git's failures into our kinds, without echoing anything secret. */
export function gitFailure(what: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  const refused = what.startsWith("push") ? pushRefusal(message) : undefined;
  if (refused) return refused;
  if (REFUSED.test(message)) {
    return new UserError(
      `git ${what} was refused: the app's installation token lacks access to this repository (check the app's permissions)`,
    );
  }
  if (NETWORK.test(message)) {
    return new Transient(`git ${what} failed on the network: ${gitSaid(message)}`, { cause: err });
  }
  return new Error(`git ${what} failed: ${gitSaid(message)}`, { cause: err });
}

/** git's own verdict (its `fatal:` line) rather than whatever the server said first in `remote:` lines. */
function gitSaid(message: string): string {
  return firstLine(message.split("\n").find((l) => /^(?:fatal|error):/.test(l.trim())) ?? message);
}

export function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim()) ?? s).slice(0, 300);
}

/** GIT_COMMON_DIR overrides $GIT_DIR/commondir, where git would otherwise read config, hooks and refs. */
export function ownGitDir(dir: string): Record<string, string> {
  const gitDir = path.join(dir, ".git");
  return { GIT_DIR: gitDir, GIT_COMMON_DIR: gitDir, GIT_WORK_TREE: dir };
}
