// A plain git smart-HTTP server over bare repositories in a directory: the
// real /usr/lib/git-core/git-http-backend behind a CGI bridge. Each
// repository answers only to its own tokens (HTTP Basic x-access-token:<token>,
// as GitHub's git does; 401 without, 404 with another's, as for a private
// repository). `stall` holds the next pack response after some bytes, so a
// test can kill a fetching process in the middle of a fetch.
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { credentialFrom } from "./fake-github/auth.ts";
import { GIT_HTTP_BACKEND } from "./fake-github/git-bridge.ts";
import { gitEnv } from "./fake-github/git-repo.ts";

export interface GitHttpServer {
  url: string;
  /** Tokens allowed to read each repository (path under the root, e.g. "acme/big.git"). */
  tokens: Map<string, Set<string>>;
  /** The next upload-pack response stops after `afterBytes` bytes of body and hangs; resolves when it has. */
  stall(afterBytes: number): Promise<void>;
  /** Requests seen: method, path, status. */
  requests: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

export async function startGitHttp(root: string): Promise<GitHttpServer> {
  const tokens = new Map<string, Set<string>>();
  const requests: GitHttpServer["requests"] = [];
  let stall: { afterBytes: number; reached: () => void } | undefined;
  const hung = new Set<ServerResponse>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const m = /^\/(.+?\.git)(\/.*)$/.exec(url.pathname);
    const done = (status: number, text: string) => {
      requests.push({ method: req.method ?? "", path: url.pathname, status });
      res
        .writeHead(status, {
          "content-type": "text/plain",
          ...(status === 401 ? { "www-authenticate": 'Basic realm="git"' } : {}),
        })
        .end(text);
    };
    if (!m) return done(404, "not found");
    const [, repo = "", rest = ""] = m;
    const allowed = tokens.get(repo);
    const credential = credentialFrom(req.headers.authorization);
    if (!credential) return done(401, "Authentication required");
    if (!allowed?.has(credential)) return done(404, "Repository not found.");
    if (rest === "/git-receive-pack" || url.searchParams.get("service") === "git-receive-pack")
      return done(403, "read only");

    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    const input = Buffer.concat(body);
    const header = (name: string) => [req.headers[name]].flat().join(", ");
    const env: NodeJS.ProcessEnv = {
      ...gitEnv,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: `/${repo}${rest}`,
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: header("content-type"),
      CONTENT_LENGTH: String(input.length),
      REMOTE_USER: "x-access-token",
      REMOTE_ADDR: "127.0.0.1",
      SERVER_PROTOCOL: "HTTP/1.1",
      ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: header("content-encoding") } : {}),
      ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: header("git-protocol") } : {}),
    };
    // Armed until a response is long enough to reach it (protocol v2 asks ls-refs first, a short one).
    const stallHere = rest === "/git-upload-pack" ? stall : undefined;
    const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
    let head = Buffer.alloc(0);
    let sent = 0;
    let headersDone = false;
    let stalled = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (stalled) return;
      if (!headersDone) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        headersDone = true;
        let status = 200;
        const headers: Record<string, string> = {};
        for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
          const colon = line.indexOf(":");
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
          else if (colon > 0) headers[name] = value;
        }
        requests.push({ method: req.method ?? "", path: url.pathname, status });
        res.writeHead(status, headers);
        chunk = head.subarray(end + 4);
      }
      if (stallHere && sent + chunk.length >= stallHere.afterBytes) {
        res.write(chunk.subarray(0, Math.max(0, stallHere.afterBytes - sent)));
        stalled = true;
        stall = undefined;
        hung.add(res);
        child.kill("SIGKILL");
        stallHere.reached();
        return;
      }
      sent += chunk.length;
      res.write(chunk);
    });
    child.on("close", () => {
      if (!stalled) res.end();
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    requests,
    stall: (afterBytes) => new Promise<void>((reached) => (stall = { afterBytes, reached })),
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
