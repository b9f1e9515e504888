// A TCP relay in front of a loopback service that a test can make
// unreachable the two ways a real network fails: "hang" (connections are
// accepted and bytes swallowed, so requests never get an answer — a
// blackholed route) and "refuse" (new connections are reset at once).
// Existing keep-alive connections follow the switch too.
import { createConnection, createServer, type Socket } from "node:net";

export type RelayMode = "pass" | "hang" | "refuse";

export interface TcpSwitch {
  /** host:port to give the client (for GHE_HOST). */
  host: string;
  port: number;
  set(mode: RelayMode): void;
  close(): Promise<void>;
}

export async function createTcpSwitch(target: { host: string; port: number }): Promise<TcpSwitch> {
  let mode: RelayMode = "pass";
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    if (mode === "refuse") {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(target);
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      if (mode === "pass") client.destroy();
    });
    upstream.on("error", () => undefined);
    // Forwarded only while passing: in "hang" the bytes go nowhere and nobody answers.
    client.on("data", (chunk) => {
      if (mode === "pass") upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (mode === "pass") client.write(chunk);
    });
    client.on("end", () => {
      if (mode === "pass") upstream.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    port,
    set(next) {
      mode = next;
      if (next === "refuse") for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
