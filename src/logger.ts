// The process's logger: pino (Probot's), every line passed through the one
// redactor before it reaches stdout, so no secret is ever written to a log.
import { Writable } from "node:stream";
import pino, { type Logger } from "pino";
import pinoPretty from "pino-pretty";
import type { AppEnv } from "./config/env.ts";
import type { Redactor } from "./security/redact.ts";

export function createLogger(
  env: Pick<AppEnv, "log">,
  redactor: Redactor,
  out: NodeJS.WritableStream = process.stdout,
): Logger {
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      out.write(redactor.redact(chunk.toString()));
      done();
    },
  });
  const options = { level: env.log.level, name: "issuesmith" };
  if (env.log.format === "pretty") {
    // Pretty-printing runs in-process (no worker thread), writing through the redacting sink.
    const pretty = pinoPretty({ colorize: false, destination: sink, sync: true });
    return pino(options, pretty);
  }
  return pino(options, sink);
}
