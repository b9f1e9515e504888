// Small formats shared by the job page and the terminal view (durations: shared/duration.ts).

/** Rounds count from 0; eval's hidden test run is recorded as round -1. */
export function roundLabel(round: number): string {
  return round < 0 ? "hidden tests" : `round ${round + 1}`;
}
