// A job's private temp dir: the clone and a HOME for its commands; removed
// when the job ends, whatever happened.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import type { Workspace } from "../workspace/types.ts";

export async function createWorkspaceDir(baseDir: string, jobId: string): Promise<Workspace> {
  await mkdir(baseDir, { recursive: true });
  const root = await mkdtemp(path.join(baseDir, `issuesmith-${jobId.slice(0, 8)}-`));
  const homeDir = path.join(root, "home");
  await mkdir(homeDir, { mode: 0o700 });
  return { root, repoDir: path.join(root, "repo"), homeDir };
}

export async function removeWorkspaceDir(ws: Workspace): Promise<void> {
  await rm(ws.root, { recursive: true, force: true, maxRetries: 3 });
}
