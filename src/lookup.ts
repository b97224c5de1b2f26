/**
 * A table read with a word a client sent (an asset's file name, a programme's criterion, a status
 * read from an uploaded log): built without a prototype, so "constructor", "toString" or
 * "__proto__" are simply not in it, where a plain object would answer with Object's own members.
 */
export function lookupTable<Value>(entries: Record<string, Value>): Readonly<Partial<Record<string, Value>>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, Value>, entries));
}
