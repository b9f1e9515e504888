// The operator's own listener (AGENT_OPS_PORT): /healthz, /readyz and
// /metrics, apart from the webhook port, for a network only operators reach
// (ARCHITECTURE.md §6).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export type OpsRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export async function startOpsServer(
  handler: OpsRequestHandler,
  port: number,
  host: string | undefined,
): Promise<OpsServer> {
  const server = createServer((req, res) => {
    handler(req, res).then(
      (served) => {
        if (served) return;
        res.writeHead(404, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ error: "not found: this port serves /healthz, /readyz and /metrics" }));
      },
      () => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
