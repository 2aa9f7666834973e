/**
 * A field named by its path in free text, such as a `deprecated` message ("use customer.first_name
 * instead"): the whole path, not a longer path or name that starts or ends with it.
 */
export function fieldMention(fieldPath: string, flags = ''): RegExp {
  return new RegExp(`(?<![\\w.])${fieldPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w]|\\.\\w)`, flags);
}
