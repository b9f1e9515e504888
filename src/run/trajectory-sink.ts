// The seam where a job's steps are recorded (its page and export come with
// the trajectory store). Jobs call it; nothing here knows how it is kept.
import type { TrajectoryEvent } from "./trajectory.ts";

export interface TrajectorySink {
  record(jobId: string, event: TrajectoryEvent): void | Promise<void>;
  /** A signed link to the job's page, when the app has a public URL. */
  link(jobId: string): string | undefined;
}
