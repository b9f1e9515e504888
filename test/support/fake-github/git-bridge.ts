// Git smart HTTP: a CGI bridge to git-http-backend, behind GitHub's rule
// that an installation token (HTTP Basic x-access-token:<token>, or a
// Bearer/token header) is needed to clone or push.
import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { credentialFrom } from "./auth.ts";
import { gitEnv, isAncestor, refs } from "./git-repo.ts";
import { pushRuleEnv } from "./push-rules.ts";
import { timestamp, type FakeState, type RepoRecord } from "./state.ts";

export const GIT_HTTP_BACKEND = "/usr/lib/git-core/git-http-backend";

export interface GitRequestRecord {
  repo: string;
  service: "git-upload-pack" | "git-receive-pack" | null;
  /** advertise: GET info/refs; rpc: the POST that moves the data. */
  phase: "advertise" | "rpc" | "other";
  /** Who the token belongs to (the app's bot), or null without valid credentials. */
  user: string | null;
  status: number;
}

export interface PushRecord {
  repo: string;
  ref: string;
  before: string | null;
  after: string | null;
  /** The old tip is not an ancestor of the new one (a force push). */
  forced: boolean;
  user: string;
}

/** `/{owner}/{repo}.git/<rest>` (or without `.git`, as GitHub allows). */
export function matchGitPath(path: string): { owner: string; name: string; rest: string } | null {
  const m = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.*))$/.exec(
    path,
  );
  return m ? { owner: decodeURIComponent(m[1] ?? ""), name: decodeURIComponent(m[2] ?? ""), rest: m[3] ?? "" } : null;
}

export interface GitAccess {
  allowed: boolean;
  status: number;
  message: string;
  user: string | null;
  /** Credentials were presented but are not good (unknown or expired token). */
  badCredentials: boolean;
  /** The token's permissions (the push rules need `workflows`). */
  permissions?: Record<string, string>;
}

export function gitAccess(
  state: FakeState,
  slug: string,
  repo: RepoRecord,
  service: GitRequestRecord["service"],
  authorization: string | undefined,
): GitAccess {
  const credential = credentialFrom(authorization);
  const deny = (status: number, message: string, user: string | null = null, badCredentials = false): GitAccess => ({
    allowed: false,
    status,
    message,
    user,
    badCredentials,
  });
  if (!credential) return deny(401, "Authentication required");
  const token = state.tokens.get(credential);
  if (!token)
    return deny(
      401,
      "Invalid username or token. Password authentication is not supported for Git operations.",
      null,
      true,
    );
  if (token.expiresAt <= Date.now()) return deny(401, "Invalid username or token (expired).", null, true);
  const user = `${slug}[bot]`;
  const covered =
    repo.installationId === token.installationId && (!token.repositories || token.repositories.has(repo.fullName));
  if (service === "git-receive-pack") {
    if (!covered || token.permissions["contents"] !== "write")
      return deny(403, `Permission to ${repo.fullName}.git denied to ${user}.`, user);
  } else if (!covered && repo.private) {
    return deny(404, "Repository not found.", user);
  }
  return { allowed: true, status: 200, message: "", user, badCredentials: false, permissions: token.permissions };
}

/**
 * Runs git-http-backend for one request. The request body is handed over
 * as received (git-http-backend inflates `Content-Encoding: gzip` itself
 * when told through HTTP_CONTENT_ENCODING). Leaves `res` open: end it.
 */
export async function runGitBackend(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  options: {
    root: string;
    repo: RepoRecord;
    rest: string;
    query: string;
    user: string;
    permissions: Record<string, string>;
  },
): Promise<{ status: number; pushes: PushRecord[] }> {
  const receive = options.rest === "/git-receive-pack";
  const before = receive ? await refs(options.repo.gitDir) : undefined;
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const env: NodeJS.ProcessEnv = {
    ...gitEnv,
    ...pushRuleEnv(options.repo, options.permissions),
    GIT_PROJECT_ROOT: options.root,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: `/${options.repo.owner}/${options.repo.name}.git${options.rest}`,
    QUERY_STRING: options.query,
    REQUEST_METHOD: req.method ?? "GET",
    CONTENT_TYPE: header("content-type") ?? "",
    CONTENT_LENGTH: String(body.length),
    REMOTE_USER: options.user,
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    SERVER_PROTOCOL: "HTTP/1.1",
  };
  const encoding = header("content-encoding");
  if (encoding) env["HTTP_CONTENT_ENCODING"] = encoding;
  const protocol = header("git-protocol");
  if (protocol) env["GIT_PROTOCOL"] = protocol;

  const status = await new Promise<number>((resolve, reject) => {
    const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    let head = Buffer.alloc(0);
    let headersDone = false;
    let code = 200;
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf("\r\n\r\n");
      const lf = head.indexOf("\n\n");
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
      if (end < 0) return;
      const sep = end === crlf ? 4 : 2;
      headersDone = true;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") code = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      res.writeHead(code, headers);
      res.write(head.subarray(end + sep));
    });
    child.on("error", reject);
    child.on("close", (exit) => {
      if (!headersDone) {
        code = 500;
        res.writeHead(500, { "content-type": "text/plain" });
        res.write(`git-http-backend exited ${String(exit)}: ${Buffer.concat(stderr).toString()}`);
      }
      // the response is ended by the caller once the push is recorded, so a
      // client that saw its push finish also sees it in fake.pushes
      resolve(code);
    });
    child.stdin.on("error", () => {
      // the backend may stop reading early (e.g. on a refused request); its exit tells the story
    });
    child.stdin.end(body);
  });

  const pushes: PushRecord[] = [];
  if (before) {
    const after = await refs(options.repo.gitDir);
    for (const ref of new Set([...before.keys(), ...after.keys()])) {
      if (!ref.startsWith("refs/heads/") && !ref.startsWith("refs/tags/")) continue;
      const old = before.get(ref) ?? null;
      const now = after.get(ref) ?? null;
      if (old === now) continue;
      const forced = old !== null && now !== null && !(await isAncestor(options.repo.gitDir, old, now));
      pushes.push({ repo: options.repo.fullName, ref, before: old, after: now, forced, user: options.user });
    }
    if (pushes.length > 0) options.repo.pushedAt = timestamp();
  }
  return { status, pushes };
}
