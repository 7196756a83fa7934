/**
 * Appends every item to `target`, one by one. `target.push(...items)` passes each item as an
 * argument, and a list of a few hundred thousand findings overflows the stack.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
