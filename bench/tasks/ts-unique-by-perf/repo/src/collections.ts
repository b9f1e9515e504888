export type Key = string | number;

/** The items whose key was not seen before: the first of each key, in input order. */
export function uniqueBy<T>(items: readonly T[], key: (item: T) => Key): T[] {
  const kept: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (!kept.some((other) => key(other) === k)) kept.push(item);
  }
  return kept;
}

/** Items grouped by key, groups in order of first appearance. */
export function groupBy<T>(items: readonly T[], key: (item: T) => Key): Map<Key, T[]> {
  const groups = new Map<Key, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
