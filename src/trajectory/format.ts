// Small formats shared by the job page and the terminal view.

/** 420 ms, 3.2 s, 2 min 5 s. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** Rounds count from 0; eval's hidden test run is recorded as round -1. */
export function roundLabel(round: number): string {
  return round < 0 ? "hidden tests" : `round ${round + 1}`;
}
