export interface Money {
  /** Whole cents. */
  cents: number;
  currency: string;
}

/** Split an amount into `parts` shares, e.g. to divide a bill. */
export function splitAmount(total: Money, parts: number): Money[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`cannot split into ${parts} parts`);
  const share = Math.round(total.cents / parts);
  return Array.from({ length: parts }, () => ({ cents: share, currency: total.currency }));
}

export function sum(amounts: readonly Money[]): Money {
  const currency = amounts[0]?.currency ?? "EUR";
  if (amounts.some((a) => a.currency !== currency)) throw new TypeError("cannot add different currencies");
  return { cents: amounts.reduce((n, a) => n + a.cents, 0), currency };
}
