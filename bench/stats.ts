// Small helpers shared by the benches: percentiles and rounding.
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function ms(n: number): number {
  return Math.round(n * 10) / 10;
}

export type BenchResult = { name: string; figures: Record<string, number | string> };
