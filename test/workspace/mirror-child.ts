// Run by mirror-cache.test.ts as its own process (so it can be killed with -9
// in the middle of a fetch): one clone through the mirror cache.
import pino from "pino";
import { MirrorCache, type MirrorCloneRequest } from "../../src/workspace/cache/mirror.ts";

const { cacheDir, staleMs, request } = JSON.parse(process.argv[2] ?? "{}") as {
  cacheDir: string;
  staleMs: number;
  request: MirrorCloneRequest;
};
const cache = new MirrorCache({ dir: cacheDir, maxBytes: 1024 ** 3, staleMs, log: pino({ level: "silent" }) });
console.log(await cache.cloneInto(request));
