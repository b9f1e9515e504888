// `issuesmith doctor`: what this machine and configuration can do, one line
// per check, so an operator sees a problem before a job hits it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { hasAppCredentials, type AppEnv } from "../config/env.ts";
import { createQueue } from "../jobs/create-queue.ts";
import { createRunner } from "../workspace/sandbox.ts";
import { modelChecks } from "./doctor-model.ts";

const exec = promisify(execFile);

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A failed optional check warns but does not fail the doctor. */
  optional?: boolean;
}

export async function doctorCommand(env: AppEnv, out: (line: string) => void): Promise<number> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split(".")[0]);
  checks.push({
    name: "node",
    ok: major >= 24,
    detail: `v${process.versions.node}${major >= 24 ? "" : " (Node 24 is required: run through npm scripts or bin/issuesmith.js)"}`,
  });
  checks.push(await version("git", ["--version"]));
  checks.push({ ...(await version("rg", ["--version"])), optional: true });
  const quiet = { warn: () => undefined, info: () => undefined };
  try {
    const runner = await createRunner(env.sandbox, quiet);
    checks.push({
      name: "sandbox",
      ok: env.sandbox !== "auto" || runner.kind === "bwrap",
      optional: env.sandbox === "none",
      detail:
        runner.kind === "bwrap"
          ? "bubblewrap: commands run isolated, without network"
          : "none: commands run directly on this host (install bubblewrap)",
    });
  } catch (err) {
    checks.push({ name: "sandbox", ok: false, detail: (err as Error).message });
  }
  try {
    const queue = await createQueue(env);
    checks.push({ name: "queue", ok: await queue.ping(), detail: env.queue.backend });
    await queue.close();
  } catch (err) {
    checks.push({ name: "queue", ok: false, detail: (err as Error).message });
  }
  checks.push({
    name: "app credentials",
    ok: hasAppCredentials(env),
    detail: hasAppCredentials(env)
      ? `APP_ID ${env.github.appId} on ${env.github.host}`
      : "not set: `npm start` opens the setup page",
  });
  checks.push(...(await modelChecks(env)));
  for (const c of checks) out(`${c.ok ? "ok  " : c.optional ? "warn" : "FAIL"}  ${c.name.padEnd(16)} ${c.detail}`);
  return checks.some((c) => !c.ok && !c.optional) ? 1 : 0;
}

async function version(cmd: string, args: string[]): Promise<Check> {
  try {
    const { stdout } = await exec(cmd, args);
    return { name: cmd, ok: true, detail: stdout.split("\n")[0] ?? "" };
  } catch {
    return { name: cmd, ok: false, detail: "not found" };
  }
}
