/**
 * Per-field evidence from the templates' scans: every use, mapped to the field path `init` would
 * declare for it (through the existing schema, the aliases the user confirmed, and names a field
 * path cannot hold), with what each use says about the field's type and fallback.
 */
import type { FieldUse, SyntaxProblem } from '../dialects/dialect';
import type { DialectId } from '../dialects/ids';
import { getDialect } from '../dialects/registry';
import { ownValue } from '../own-value';
import { resolveField } from '../schema/resolve';
import type { Schema } from '../schema/types';

/** Uses read from one text (a template, or a partial it includes, in the template's terms). */
export interface UseSource {
  dialect: DialectId;
  /** The text the uses' spans point into. */
  text: string;
  uses: FieldUse[];
}

/** One template as `check` reads it. */
export interface InitTemplate {
  /** Relative to the folder of `mergewise.json`, with `/`. */
  path: string;
  /** The dialect `check` reads it in. */
  dialect: DialectId;
  /** Its own uses (unless it is a partial that templates include: then they come through them) and those of its partials. */
  sources: UseSource[];
  syntaxErrors: SyntaxProblem[];
}

/** `--alias FIELD=dialect:NAME`: NAME, in that dialect, is the field FIELD. */
export interface AliasConfirmation {
  field: string;
  dialect: DialectId;
  name: string;
}

export type TypeEvidence = 'array' | 'date' | 'number';

export interface FieldEvidence {
  /** The path it is declared under. */
  path: string;
  uses: number;
  templates: Set<string>;
  dialects: Set<DialectId>;
  /** Per dialect, the name written there when it is not the path. */
  aliases: Map<DialectId, string>;
  /** What the uses of the field itself (not of its items or members) say its type is, with counts. */
  types: Map<TypeEvidence, number>;
  /** Uses in copy with a fallback, by fallback. */
  fallbacks: Map<string, number>;
  /** Uses in copy with no fallback. */
  outputsWithoutFallback: number;
  /** Uses only in conditions (`if x`): could be a flag or text. */
  conditionUses: number;
}

export interface MinedEvidence {
  fields: Map<string, FieldEvidence>;
  /** Uses the existing schema already resolves: no field is proposed for them. */
  alreadyDeclared: number;
  /** Per dialect, the templates read in it. */
  dialects: Map<DialectId, number>;
  syntaxErrors: { path: string; count: number; first: string }[];
  /** An alias the user confirmed for a dialect that already has another for the field. */
  aliasConflicts: string[];
}

const RELATIONAL_AFTER = /^\s*\)?\s*(?:>=|<=|>|<|gt|lt|gte|lte)\s*-?\d/;
const RELATIONAL_BEFORE = /-?\d+(?:\.\d+)?\s*(?:>=|<=|>|<)\s*\(?\s*$/;

/** A condition that compares the value with a number: `x > 3`, `10 <= x`. */
function comparedWithNumber(text: string, use: FieldUse): boolean {
  if (use.context !== 'condition') return false;
  const after = text.slice(use.span.end, Math.min(text.length, use.span.end + 24));
  const before = text.slice(Math.max(0, use.span.start - 24), use.span.start);
  return RELATIONAL_AFTER.test(after) || RELATIONAL_BEFORE.test(before);
}

/** Copy that shows the value as an amount: a currency sign right before the tag (`${{ cart.total }}`). */
function shownAsMoney(text: string, use: FieldUse): boolean {
  if (use.context !== 'output') return false;
  let at = use.tagSpan.start - 1;
  if (text.charCodeAt(at) === 32) at--;
  const c = text.charCodeAt(at);
  return c === 36 /* $ */ || c === 0x20ac /* € */ || c === 0xa3 /* £ */ || c === 0xa5 /* ¥ */;
}

/** What the first typed filter of a use says its value is, as `type-mismatch` reads the filters. */
function filterEvidence(dialect: DialectId, use: FieldUse): TypeEvidence | undefined {
  const inputs = getDialect(dialect).filterInputs;
  for (const filter of use.filters) {
    if (filter === 'size') return undefined;
    const expects = ownValue(inputs, filter);
    if (expects) return expects;
  }
  return undefined;
}

/** A name a field path cannot hold as written (Marketo's `lead.First Name`): spaces become `_`. */
function pathFor(name: string): string {
  return name.replace(/\s+/g, '_');
}

interface Target {
  field: FieldEvidence;
  /** The use is of a list's item itself (`customer.tags[]`). */
  isItem: boolean;
  /** The lists the path goes through. */
  lists: FieldEvidence[];
  /** The name written, when the field is declared under another path. */
  alias?: string;
}

export class Miner {
  readonly evidence: MinedEvidence = { fields: new Map(), alreadyDeclared: 0, dialects: new Map(), syntaxErrors: [], aliasConflicts: [] };
  private readonly confirmations: Map<DialectId, AliasConfirmation[]>;

  constructor(private readonly existing: Schema | undefined, confirmations: AliasConfirmation[]) {
    this.confirmations = new Map();
    for (const confirmation of confirmations) {
      const list = this.confirmations.get(confirmation.dialect) ?? [];
      list.push(confirmation);
      // Longest name first: `event.Items[].ProductName` before `event.Items`.
      list.sort((a, b) => b.name.length - a.name.length);
      this.confirmations.set(confirmation.dialect, list);
    }
  }

  add(template: InitTemplate): void {
    const { evidence } = this;
    evidence.dialects.set(template.dialect, (evidence.dialects.get(template.dialect) ?? 0) + 1);
    if (template.syntaxErrors.length) {
      evidence.syntaxErrors.push({ path: template.path, count: template.syntaxErrors.length, first: template.syntaxErrors[0].message });
    }
    for (const source of template.sources) {
      for (const use of source.uses) this.addUse(template.path, source, use);
    }
  }

  /** Where each written name goes, per dialect: worked out once per distinct name (a workspace repeats them thousands of times). */
  private readonly targets = new Map<DialectId, Map<string, Target | null>>();

  private target(dialect: DialectId, written: string): Target | null {
    let byName = this.targets.get(dialect);
    if (!byName) this.targets.set(dialect, (byName = new Map()));
    let target = byName.get(written);
    if (target !== undefined) return target;
    if (this.existing && resolveField(this.existing, dialect, written).kind !== 'unknown') {
      target = null;
    } else {
      let path = written;
      let alias: string | undefined;
      const confirmed = this.confirmations.get(dialect)?.find((c) =>
        path === c.name || path.startsWith(`${c.name}.`) || path.startsWith(`${c.name}[]`));
      if (confirmed) {
        path = confirmed.field + path.slice(confirmed.name.length);
        if (path !== written) alias = written;
      } else if (pathFor(path) !== path) {
        path = pathFor(path);
        alias = written;
      }
      // A loop item itself (`{{ tag }}` in a loop over `customer.tags`) says its list is a list.
      const isItem = path.endsWith('[]');
      const fieldPath = isItem ? path.slice(0, -2) : path;
      const lists: FieldEvidence[] = [];
      // Every list the path goes through is an array: `cart.items` in `cart.items[].title`.
      if (!isItem) for (let at = path.indexOf('[]'); at !== -1; at = path.indexOf('[]', at + 2)) lists.push(this.field(path.slice(0, at)));
      target = {
        field: this.field(fieldPath), isItem, lists,
        alias: alias === undefined ? undefined : isItem ? alias.replace(/\[\]$/, '') : alias,
      };
    }
    byName.set(written, target);
    return target;
  }

  private addUse(template: string, source: UseSource, use: FieldUse): void {
    if (!use.path) return;
    const { dialect } = source;
    const target = this.target(dialect, use.path);
    if (!target) {
      this.evidence.alreadyDeclared++;
      return;
    }
    const { field } = target;
    field.uses++;
    field.templates.add(template);
    field.dialects.add(dialect);
    if (target.alias !== undefined) {
      const known = field.aliases.get(dialect);
      if (known === undefined) field.aliases.set(dialect, target.alias);
      else if (known !== target.alias) {
        const conflict = `${field.path}: ${dialect} writes it both "${known}" and "${target.alias}"; only "${known}" is kept as its alias.`;
        if (!this.evidence.aliasConflicts.includes(conflict)) this.evidence.aliasConflicts.push(conflict);
      }
    }
    if (target.isItem) {
      bump(field.types, 'array');
      return;
    }
    for (const list of target.lists) bump(list.types, 'array');
    if (use.context === 'loop') bump(field.types, 'array');
    const filtered = use.filters.length ? filterEvidence(dialect, use) : undefined;
    if (filtered) bump(field.types, filtered);
    if (comparedWithNumber(source.text, use) || shownAsMoney(source.text, use)) bump(field.types, 'number');
    if (use.context === 'output') {
      // Another field's value as the fallback is no text to write as this field's fallback.
      if (use.fallback !== null && use.fallbackField === undefined) field.fallbacks.set(use.fallback, (field.fallbacks.get(use.fallback) ?? 0) + 1);
      else if (use.fallback === null) field.outputsWithoutFallback++;
    }
    if (use.context === 'condition') field.conditionUses++;
  }

  private field(path: string): FieldEvidence {
    let field = this.evidence.fields.get(path);
    if (!field) {
      field = {
        path, uses: 0, templates: new Set(), dialects: new Set(), aliases: new Map(), types: new Map(),
        fallbacks: new Map(), outputsWithoutFallback: 0, conditionUses: 0,
      };
      this.evidence.fields.set(path, field);
    }
    return field;
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
