import type { Dialect } from './dialect';
import type { DialectId } from './ids';
import { liquid } from './liquid';

/** Every implemented dialect. Adding a platform means adding it here, and nothing in the rules. */
const DIALECTS = new Map<DialectId, Dialect>([[liquid.id, liquid]]);

export function getDialect(id: DialectId): Dialect | undefined {
  return DIALECTS.get(id);
}

export function implementedDialects(): Dialect[] {
  return [...DIALECTS.values()];
}
