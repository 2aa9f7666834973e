/**
 * A table's entry for a name a template wrote. Own keys only: a template naming `constructor`,
 * `toString` or `__proto__` must not find Object's methods and pass for a helper, tag or filter.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
