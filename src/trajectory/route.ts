// GET /jobs/<id>?exp=<unix>&sig=<hmac>: the job page, on the app's own server
// (Probot's addHandler). The signature is checked before the store is
// touched, and every refusal — forged, expired, unknown job, wrong method —
// is the same 404, so the route tells an outsider nothing.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TrajectoryLog } from "../jobs/store.ts";
import type { JobQueue } from "../shared/job.ts";
import { assembleTrajectory } from "./assemble.ts";
import { renderJobPage } from "./page.ts";
import type { LinkSigner } from "./signing.ts";

export interface JobPageDeps {
  signer: LinkSigner | undefined;
  jobs: Pick<JobQueue, "get">;
  trajectories: TrajectoryLog;
  githubUrl?: string | undefined;
  log?: { warn(obj: object, msg: string): void };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** The page, and its JSON export under the same signature. */
const PAGE_PATH = /^\/jobs\/([^/]+)(\/trajectory\.json)?$/;

const HEADERS = {
  "cache-control": "private, no-store",
  "x-content-type-options": "nosniff",
  // No script at all; styles are inline; the signed URL must not leak through Referer.
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex, nofollow",
};

export function jobPageRoute(deps: JobPageDeps): Handler {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = PAGE_PATH.exec(url.pathname);
    if (!match) return false;
    let jobId: string;
    try {
      jobId = decodeURIComponent(match[1]!);
    } catch {
      return notFound(res);
    }
    if (
      (req.method !== "GET" && req.method !== "HEAD") ||
      !deps.signer?.verify(jobId, url.searchParams.get("exp"), url.searchParams.get("sig"))
    ) {
      return notFound(res);
    }
    try {
      const [job, records] = await Promise.all([deps.jobs.get(jobId), deps.trajectories.readTrajectory(jobId)]);
      if (!job && records.length === 0) return notFound(res);
      const trajectory = assembleTrajectory(jobId, records, job);
      if (match[2]) {
        res.writeHead(200, {
          ...HEADERS,
          "content-type": "application/json; charset=utf-8",
          "content-disposition": `attachment; filename="trajectory-${jobId.replace(/[^\w.-]/g, "_")}.json"`,
        });
        res.end(req.method === "HEAD" ? undefined : JSON.stringify(trajectory, null, 2));
        return true;
      }
      // Relative to /…/jobs/<id>, so it also works behind a proxy that adds a path prefix.
      const exportHref = `${encodeURIComponent(jobId)}/trajectory.json${url.search}`;
      const page = renderJobPage({ trajectory, job, githubUrl: deps.githubUrl, exportHref });
      res.writeHead(200, { ...HEADERS, "content-type": "text/html; charset=utf-8" });
      res.end(req.method === "HEAD" ? undefined : page);
    } catch (err) {
      deps.log?.warn({ err, job: jobId }, "job page could not be rendered");
      res.writeHead(503, { ...HEADERS, "content-type": "text/plain; charset=utf-8" });
      res.end("The job store did not answer; try again shortly.\n");
    }
    return true;
  };
}

function notFound(res: ServerResponse): true {
  res.writeHead(404, { ...HEADERS, "content-type": "text/plain; charset=utf-8" });
  res.end("Not found\n");
  return true;
}

/** The web origin of the GitHub the app talks to, for links back to issues. */
export function githubWebUrl(github: { host: string; baseUrl: string }): string {
  if (github.host === "github.com") return "https://github.com";
  try {
    return new URL(github.baseUrl).origin;
  } catch {
    return `https://${github.host}`;
  }
}
