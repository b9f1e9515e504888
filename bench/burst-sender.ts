// The sender of the burst bench, in a process of its own, as GitHub's is: the
// bench process also serves the fake GitHub the app calls while acknowledging,
// and a sender sharing its event loop would time that work as the app's.
// Reads pre-signed requests (JSON) on stdin; sends them with `inFlight` at a
// time over node:http; prints one JSON line: each request's status and time.
import http from "node:http";
import { text } from "node:stream/consumers";

export interface SenderInput {
  url: string;
  inFlight: number;
  requests: { headers: Record<string, string>; body: string }[];
}

export interface SenderOutput {
  results: { status: number; ms: number; body: string }[];
}

function post(
  url: URL,
  agent: http.Agent,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - started,
            body: Buffer.concat(chunks).toString().slice(0, 200),
          }),
        );
      },
    );
    req.on("error", (err) => resolve({ status: 0, ms: performance.now() - started, body: err.message }));
    req.end(body);
  });
}

async function main(): Promise<void> {
  const input = JSON.parse(await text(process.stdin)) as SenderInput;
  const url = new URL(input.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: input.inFlight });
  const results: SenderOutput["results"] = new Array(input.requests.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(input.inFlight, input.requests.length) }, async () => {
      while (next < input.requests.length) {
        const i = next++;
        const { headers, body } = input.requests[i]!;
        results[i] = await post(url, agent, headers, body);
      }
    }),
  );
  agent.destroy();
  process.stdout.write(`${JSON.stringify({ results } satisfies SenderOutput)}\n`);
}

if (import.meta.main) await main();
