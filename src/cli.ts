// `issuesmith run | eval | show | worker | jobs | doctor`: the app without
// GitHub, and the operator's tools. Every bad flag gets one clear line.
import { existsSync } from "node:fs";
import { loadEnv, type AppEnv } from "./config/env.ts";
import { UserError } from "./errors.ts";
import { exitOnStopSignals } from "./shared/stop-signals.ts";

const HELP = `issuesmith — turns issues into tested pull requests

usage: issuesmith <command> [options]

commands:
  run      solve a task on a local git checkout (issuesmith run --help)
  eval     score the agent on a task set (issuesmith eval --help)
  show     print a trajectory file readably (issuesmith show <trajectory.json>)
  worker   run a job worker without the webhook server (scale-out on PostgreSQL)
  jobs     list, show or cancel jobs in the store (issuesmith jobs --help)
  doctor   check this machine and configuration

The GitHub App itself starts with \`npm start\`. Configuration is read from the
environment (and .env); see .env.example.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { out: process.stdout, err: process.stderr, env: process.env };
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${HELP}\n`);
      return command === undefined ? 2 : 0;
    case "--version":
    case "-v":
      process.stdout.write(`${process.env.npm_package_version ?? "issuesmith"}\n`);
      return 0;
    case "run": {
      const { runCommand } = await import("./cli/run.ts");
      return runCommand(rest, io);
    }
    case "eval": {
      const { evalCommand } = await import("./cli/eval.ts");
      return evalCommand(rest, io);
    }
    case "show": {
      const { showCommand } = await import("./cli/show.ts");
      return showCommand(rest, io);
    }
    case "worker": {
      const env = envOrExit();
      const { workerCommand } = await import("./cli/worker.ts");
      const worker = await workerCommand(env);
      // Resolves with the exit code: 0 stopped cleanly, 1 not within the grace, 130/143 a second signal.
      return new Promise<number>((resolve) => {
        exitOnStopSignals({
          graceMs: env.queue.shutdownGraceMs,
          stop: () => worker.stop(),
          say: (line) => process.stderr.write(`${line}\n`),
          exit: resolve,
        });
      });
    }
    case "jobs": {
      const env = envOrExit();
      const [{ createQueue }, { runJobsCommand }] = await Promise.all([
        import("./jobs/create-queue.ts"),
        import("./cli/jobs.ts"),
      ]);
      const queue = await createQueue(env);
      try {
        return await runJobsCommand(rest, { queue, out: (l) => process.stdout.write(`${l}\n`) });
      } finally {
        await queue.close();
      }
    }
    case "doctor": {
      const env = envOrExit();
      const { doctorCommand } = await import("./cli/doctor.ts");
      return doctorCommand(env, (l) => process.stdout.write(`${l}\n`));
    }
    default:
      process.stderr.write(`issuesmith: unknown command ${JSON.stringify(command)} (try issuesmith --help)\n`);
      return 2;
  }
}

function envOrExit(): AppEnv {
  try {
    return loadEnv(process.env);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`issuesmith: ${err.message}:\n${err.details.map((d) => `  - ${d}`).join("\n")}\n`);
      process.exit(3);
    }
    throw err;
  }
}

if (import.meta.main) {
  if (existsSync(".env")) process.loadEnvFile(".env");
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `issuesmith: ${err instanceof UserError ? err.message : ((err as Error).stack ?? String(err))}\n`,
      );
      process.exit(1);
    },
  );
}
