// `npm start`: the webhook server (and, by default, a worker). Without app
// credentials it brings up Probot's setup page (the GitHub App manifest flow).
import { existsSync } from "node:fs";
import { run } from "probot";
import { hasAppCredentials, loadEnv, type AppEnv } from "./config/env.ts";
import { UserError } from "./errors.ts";
import { githubOctokit } from "./github/octokit-class.ts";
import { createIssuesmithApp } from "./index.ts";
import { createRuntime } from "./runtime.ts";
import { exitOnStopSignals } from "./shared/stop-signals.ts";

export async function startServer(env: AppEnv): Promise<{ stop(graceMs?: number): Promise<void>; port: number }> {
  const runtime = await createRuntime(env);
  const app = createIssuesmithApp(runtime);
  let server;
  try {
    server = await run(app.appFn, {
      env: process.env,
      log: runtime.log,
      Octokit: githubOctokit({ throttle: env.github.throttle }),
    });
  } catch (err) {
    await app.shutdown(0);
    throw err;
  }
  // Probot installs a SIGINT handler that exits at once; ours (exitOnStopSignals) lets jobs checkpoint first.
  process.removeAllListeners("SIGINT");
  const srv = server;
  return {
    port: srv.port,
    async stop(graceMs = env.queue.shutdownGraceMs) {
      runtime.log.info({ graceMs }, "shutting down: no new jobs; running jobs get time to checkpoint");
      await srv.stop().catch(() => undefined);
      await app.shutdown(graceMs);
    },
  };
}

async function main(): Promise<void> {
  // Probot's setup flow writes credentials to .env; read it like Probot does.
  if (existsSync(".env")) process.loadEnvFile(".env");
  let env: AppEnv;
  try {
    env = loadEnv(process.env);
  } catch (err) {
    fail(err);
  }
  if (!hasAppCredentials(env)) {
    console.log(
      `issuesmith: no GitHub App credentials yet (APP_ID, PRIVATE_KEY). Open http://localhost:${env.server.port} to register the app; it writes them to .env, then start again.`,
    );
    await run(() => undefined, { env: process.env });
    return;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(env);
  } catch (err) {
    fail(err);
  }
  exitOnStopSignals({
    graceMs: env.queue.shutdownGraceMs,
    stop: () => server.stop(),
    say: (line) => console.error(line),
  });
}

function fail(err: unknown): never {
  if (err instanceof UserError) {
    console.error(
      `issuesmith: ${err.message}${err.details.length ? `:\n${err.details.map((d) => `  - ${d}`).join("\n")}` : ""}`,
    );
  } else {
    console.error("issuesmith: start-up failed:", err);
  }
  process.exit(1);
}

if (import.meta.main) await main();
