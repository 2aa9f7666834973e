import type { FieldSpec } from '../schema/types';
import { ownValue } from '../own-value';
import { code, knownFieldUses, type Rule } from './rule';

const ACCEPTS: Record<'date' | 'number' | 'array', FieldSpec['type'][]> = {
  date: ['date', 'number'],
  number: ['number'],
  array: ['array'],
};

export const typeMismatch: Rule = {
  meta: {
    id: 'type-mismatch',
    defaultSeverity: 'warning',
    summary: 'A value used as the wrong type: a date filter on text, a loop over something that is not a list.',
    needsSchema: true,
  },
  check(context, report) {
    const { uses, fields } = knownFieldUses(context);
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      // A loop item (`customer.tags[]`) or a sub-field of an open object (`customer.prefs.color`) is
      // inside the field, not the field itself: its type is not declared.
      if (isInside(use.path, field.path)) continue;
      // A field mergewise.json gives no type is taken as it is.
      if (field.type === undefined) continue;
      if (use.context === 'loop' && field.type !== 'array' && !(field.type === 'object' && field.open)) {
        report(use.span, `${code(use.written)} is a ${field.type}, not a list: the loop would run once or not at all, so the recipient would see missing or garbled content. Loop over an array field.`, field.path);
        continue;
      }
      if (use.context === 'output' && use.filters.length === 0 && (field.type === 'array' || field.type === 'object')) {
        report(use.span, `${code(use.written)} is ${field.type === 'array' ? 'a list' : 'an object'}: output as it is, the recipient would see its items run together or raw data. Loop over it, or output one of its fields.`, field.path);
        continue;
      }
      let type: FieldSpec['type'] = field.type;
      for (const filter of use.filters) {
        if (filter === 'size') { type = 'number'; continue; }
        const expects = ownValue(context.dialect.filterInputs, filter);
        if (!expects) continue;
        if (!ACCEPTS[expects].includes(type)) {
          report(use.span, `${code(filter)} expects ${expects === 'array' ? 'a list' : `a ${expects}`}, but ${code(use.written)} is ${type === 'array' ? 'a list' : `a ${type}`}: ` +
              `the recipient would see the value unchanged, blank, or an error. Declare the field's real type in mergewise.json, or use a filter meant for ${type}s.`, field.path);
          break;
        }
        if (expects === 'array') break;
      }
    }
  },
};

/** `path` is `parent.…` or `parent[]…`; compared in place, as this runs for every use. */
function isInside(path: string, parent: string): boolean {
  if (path.length <= parent.length || !path.startsWith(parent)) return false;
  const next = path.charCodeAt(parent.length);
  return next === 46 /* . */ || (next === 91 /* [ */ && path.charCodeAt(parent.length + 1) === 93 /* ] */);
}
