import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { DIALECT_IDS, HANDLEBARS_FLAVORS, LIQUID_PLATFORMS, isDialectId, type DialectId, type HandlebarsFlavorId, type LiquidPlatformId } from '../dialects/ids';
import { closestNames } from '../closest';
import { globProblem } from '../purposes';
import { RULE_IDS, SCHEMA_ERROR, SEVERITY_SETTINGS, type Diagnostic, type RuleId, type Severity, type SeveritySetting, type Span } from '../model';
import {
  FIELD_TYPES,
  SENSITIVITIES,
  SOURCES,
  type FieldSpec,
  type FieldType,
  type AudienceConfig,
  type DataExtensionColumn,
  type DataExtensionSpec,
  type PartialsConfig,
  type TemplateSubjects,
  type Purpose,
  type Schema,
} from './types';

export const SCHEMA_FILE_NAME = 'mergewise.json';

export interface SchemaLoadResult {
  schema: Schema;
  /** Problems in the file, positioned in its text. Never thrown: a broken schema still loads what it can. */
  diagnostics: Diagnostic[];
  /** False when the text is not valid JSON(C), so the schema is likely missing parts. */
  parsed: boolean;
}

/** A name handlebars.js reads as one helper: no whitespace, and none of the characters its IDs exclude. */
const HELPER_NAME = /^[^\s!"#%&'()*+,./;<=>@[\\\]^`{|}~]+$/;

const TOP_LEVEL_KEYS = ['$schema', 'dialect', 'handlebars', 'liquid', 'templates', 'recipients', 'fields', 'purposes', 'rules', 'maxFileSize', 'partials', 'audience', 'subjects', 'dataExtensions'];
const AUDIENCE_KEYS = ['columns', 'updatedAt', 'updatedAtColumns', 'rareBranchShare', 'maxSnapshotAgeDays'];
const FIELD_KEYS = [
  'type', 'description', 'source', 'expected', 'fallback', 'examples', 'sensitivity', 'maxAgeDays',
  'deprecated', 'aliases', 'required', 'items', 'fields',
];
const PARTIALS_KEYS = ['files', 'globs', 'contentBlocks'];
const CONTENT_BLOCK_KEYS = ['keys', 'names', 'ids'];
const PURPOSE_KEYS = ['segment', 'tactic', 'metric', 'description', 'fields', 'templates'];
/** JSON errors reported one by one; a binary file has tens of thousands, and the rest are counted in one. */
const MAX_PARSE_ERRORS = 50;

/**
 * Parses and validates a `mergewise.json` text (JSON with comments and trailing commas).
 * `file` is its absolute path; globs in it are relative to its folder.
 */
export function loadSchema(text: string, file: string, dir: string): SchemaLoadResult {
  try {
    const loader = new SchemaLoader(text, file, dir);
    return { schema: loader.schema, diagnostics: loader.diagnostics, parsed: loader.parsed };
  } catch (error) {
    // The JSON parser and the loader recurse once per level: thousands of levels overflow the stack.
    const tooDeep = error instanceof RangeError;
    return {
      schema: { file, dir, templates: [], recipients: [], fields: new Map(), purposes: new Map(), rules: {} },
      diagnostics: [{
        rule: SCHEMA_ERROR, severity: 'error', span: { start: 0, end: Math.min(1, text.length) },
        message: tooDeep
          ? 'mergewise.json is nested too deeply to read (thousands of levels of objects or lists): Mergewise ignores it. Flatten it.'
          : `Mergewise could not read mergewise.json (${error instanceof Error ? error.message : String(error)}). Please report this.`,
      }],
      parsed: false,
    };
  }
}

/**
 * A message as people read it: values quoted in it are cut to a readable length (a 10 MB string in
 * mergewise.json made a 10 MB message), and so is the whole.
 */
export function readableMessage(message: string): string {
  if (message.length <= 500) return message;
  // By hand: a regular expression over a 10 MB message ran out of backtracking stack.
  let shortened = '';
  let from = 0;
  for (let open = message.indexOf('"'); open !== -1; open = message.indexOf('"', from)) {
    const close = message.indexOf('"', open + 1);
    if (close === -1) break;
    shortened += close - open > 80 ? `${message.slice(from, open + 61)}…"` : message.slice(from, close + 1);
    from = close + 1;
  }
  shortened += message.slice(from);
  return shortened.length <= 2000 ? shortened : `${shortened.slice(0, 1999)}…`;
}

class SchemaLoader {
  readonly diagnostics: Diagnostic[] = [];
  readonly schema: Schema;
  /** Each entry of each purpose's "fields", where it is written, to check once every field is read. */
  private readonly purposeFieldEntries: { purpose: Purpose; path: string; span: Span }[] = [];
  readonly parsed: boolean = false;
  /** The file's text: where a subject's characters are. */
  private text = '';

  constructor(text: string, file: string, dir: string) {
    this.schema = {
      file, dir, templates: [], recipients: [], fields: new Map(), purposes: new Map(), rules: {},
    };
    if (!text.trim()) {
      this.problem({ start: 0, end: 0 }, 'mergewise.json is empty: expected an object with "fields".');
      return;
    }
    const parseErrors: ParseError[] = [];
    const root = parseTree(text, parseErrors, { allowTrailingComma: true, disallowComments: false });
    this.parsed = parseErrors.length === 0 && root?.type === 'object';
    for (const error of parseErrors.slice(0, MAX_PARSE_ERRORS)) {
      this.problem({ start: error.offset, end: Math.min(text.length, error.offset + Math.max(error.length, 1)) },
        `Invalid JSON: ${describeParseError(printParseErrorCode(error.error))}.`);
    }
    if (parseErrors.length > MAX_PARSE_ERRORS) {
      const next = parseErrors[MAX_PARSE_ERRORS];
      this.problem({ start: next.offset, end: Math.min(text.length, next.offset + Math.max(next.length, 1)) },
        `Invalid JSON: ${parseErrors.length - MAX_PARSE_ERRORS} more problems after these. Is mergewise.json a JSON file?`);
    }
    if (!root) return;
    if (root.type !== 'object') {
      this.problem(spanOf(root), `Expected an object with "fields" at the top of mergewise.json, found ${describeNode(root)}.`);
      return;
    }
    this.text = text;
    this.readRoot(root);
    this.checkPurposeFields();
  }

  private readRoot(root: Node): void {
    for (const [key, value] of this.properties(root, 'mergewise.json', TOP_LEVEL_KEYS)) {
      switch (key) {
        case 'dialect': {
          const dialect = this.dialect(value, 'dialect');
          if (dialect) this.schema.dialect = dialect;
          break;
        }
        case 'handlebars':
          for (const [option, optionNode] of this.properties(value, '"handlebars"', ['flavor', 'helpers'])) {
            if (option === 'helpers') {
              const helpers = this.helperNames(optionNode);
              if (helpers.length) this.schema.handlebarsHelpers = helpers;
              continue;
            }
            const flavor = this.enumValue(optionNode, HANDLEBARS_FLAVORS, 'handlebars: "flavor"');
            if (flavor) this.schema.handlebarsFlavor = flavor as HandlebarsFlavorId;
          }
          break;
        case 'liquid':
          for (const [, platformNode] of this.properties(value, '"liquid"', ['platform'])) {
            const platform = this.enumValue(platformNode, LIQUID_PLATFORMS, 'liquid: "platform"');
            if (platform) this.schema.liquidPlatform = platform as LiquidPlatformId;
          }
          break;
        case 'templates':
          for (const [glob, dialectNode, globNode] of this.properties(value, 'templates')) {
            this.checkGlobs(globNode, 'templates');
            const dialect = this.dialect(dialectNode, `templates["${glob}"]`);
            if (dialect) this.schema.templates.push({ glob, dialect });
          }
          break;
        case 'recipients':
          this.schema.recipients = this.stringArray(value, 'recipients');
          this.checkGlobs(value, 'recipients');
          break;
        case 'fields':
          this.readFields(value, '', 'fields');
          break;
        case 'purposes':
          for (const [id, purposeNode, purposeKey] of this.properties(value, 'purposes')) {
            this.readPurpose(id, purposeNode, purposeKey);
          }
          break;
        case 'rules':
          this.readRules(value);
          break;
        case 'maxFileSize':
          if (value.type !== 'number' || !Number.isInteger(value.value) || value.value <= 0) {
            this.problem(spanOf(value), `"maxFileSize" must be a positive whole number of bytes, found ${describeNode(value)}.`);
          } else {
            this.schema.maxFileSize = value.value;
          }
          break;
        case '$schema':
          this.expectType(value, 'string', '$schema');
          break;
        case 'partials':
          this.readPartials(value);
          break;
        case 'audience':
          this.readAudience(value);
          break;
        case 'subjects':
          this.readSubjects(value);
          break;
        case 'dataExtensions':
          this.readDataExtensions(value);
          break;
      }
    }
  }

  private readPartials(node: Node): void {
    const partials: PartialsConfig = { files: new Map(), globs: [], contentBlocks: { keys: new Map(), names: new Map(), ids: new Map() } };
    for (const [key, value] of this.properties(node, 'partials', PARTIALS_KEYS)) {
      switch (key) {
        case 'files':
          this.readFileMap(value, 'partials: "files"', partials.files);
          break;
        case 'globs':
          partials.globs = this.stringArray(value, 'partials: "globs"');
          this.checkGlobs(value, 'partials: "globs"');
          break;
        case 'contentBlocks':
          for (const [kind, map] of this.properties(value, 'partials: "contentBlocks"', CONTENT_BLOCK_KEYS)) {
            this.readFileMap(map, `partials: "contentBlocks": "${kind}"`, partials.contentBlocks[kind as 'keys' | 'names' | 'ids']);
          }
          break;
      }
    }
    this.schema.partials = partials;
  }

  /** `{"emails/welcome.liquid": {"subject": "Welcome, {{ customer.first_name }}", "preheader": "…"}}`. */
  private readSubjects(node: Node): void {
    const subjects = new Map<string, TemplateSubjects>();
    for (const [template, value, keyNode] of this.properties(node, 'subjects')) {
      const where = `subjects: "${template}"`;
      const entry: TemplateSubjects = { template: template.replace(/\\/g, '/').replace(/^\.\//, ''), keySpan: spanOf(keyNode) };
      for (const [kind, lineNode] of this.properties(value, where, ['subject', 'preheader'])) {
        if (!this.expectType(lineNode, 'string', `${where}: "${kind}"`)) continue;
        const span = spanOf(lineNode);
        const raw = this.text.slice(span.start + 1, span.end - 1);
        entry[kind as 'subject' | 'preheader'] = { text: lineNode.value, span, ...(raw === lineNode.value ? { textStart: span.start + 1 } : {}) };
      }
      subjects.set(entry.template, entry);
    }
    this.schema.subjects = subjects;
  }

  private readAudience(node: Node): void {
    const audience: AudienceConfig = { columns: new Map(), updatedAtColumns: new Map() };
    for (const [key, value] of this.properties(node, 'audience', AUDIENCE_KEYS)) {
      switch (key) {
        case 'columns':
          this.readFileMap(value, 'audience: "columns"', audience.columns);
          break;
        case 'updatedAtColumns':
          this.readFileMap(value, 'audience: "updatedAtColumns"', audience.updatedAtColumns);
          break;
        case 'updatedAt':
          if (this.expectType(value, 'string', 'audience: "updatedAt"')) audience.updatedAt = value.value;
          break;
        case 'rareBranchShare':
          if (value.type !== 'number' || !(value.value >= 0 && value.value <= 1)) {
            this.problem(spanOf(value), `audience: "rareBranchShare" must be a share from 0 to 1 (0.001 is 0.1% of recipients), found ${describeNode(value)}.`);
          } else {
            audience.rareBranchShare = value.value;
          }
          break;
        case 'maxSnapshotAgeDays':
          if (value.type !== 'number' || !(value.value > 0)) {
            this.problem(spanOf(value), `audience: "maxSnapshotAgeDays" must be a number of days above 0, found ${describeNode(value)}.`);
          } else {
            audience.maxSnapshotAgeDays = value.value;
          }
          break;
      }
    }
    this.schema.audience = audience;
  }

  /** `{"Loyalty_Members": {"columns": {"Points": {"type": "number"}}}}`. */
  private readDataExtensions(node: Node): void {
    const dataExtensions = new Map<string, DataExtensionSpec>();
    for (const [name, extensionNode, keyNode] of this.properties(node, 'dataExtensions')) {
      const where = `data extension "${name}"`;
      const spec: DataExtensionSpec = { name, columns: new Map(), keySpan: spanOf(keyNode) };
      for (const [key, value] of this.properties(extensionNode, where, ['columns', 'description', 'rows'])) {
        if (key === 'description') {
          if (this.expectType(value, 'string', `${where}: "description"`)) spec.description = value.value;
          continue;
        }
        if (key === 'rows') {
          spec.rows = this.sampleRows(value, where);
          continue;
        }
        for (const [column, columnNode] of this.properties(value, `${where}: "columns"`)) {
          const declared: DataExtensionColumn = { name: column };
          for (const [columnKey, columnValue] of this.properties(columnNode, `${where}: column "${column}"`, ['type', 'description'])) {
            if (columnKey === 'type') {
              const type = this.enumValue(columnValue, FIELD_TYPES, `${where}: column "${column}": "type"`);
              if (type) declared.type = type as FieldType;
            } else if (this.expectType(columnValue, 'string', `${where}: column "${column}": "description"`)) {
              declared.description = columnValue.value;
            }
          }
          spec.columns.set(column.toLowerCase(), declared);
        }
      }
      dataExtensions.set(name.toLowerCase(), spec);
    }
    this.schema.dataExtensions = dataExtensions;
  }

  /** `"rows": [{"SubscriberKey": "ana", "Points": 1200}]`: each row an object; a row that is not is left out, with a problem. */
  private sampleRows(node: Node, where: string): Record<string, unknown>[] | undefined {
    if (!this.expectType(node, 'array', `${where}: "rows"`)) return undefined;
    const rows: Record<string, unknown>[] = [];
    (node.children ?? []).forEach((row, index) => {
      if (this.expectType(row, 'object', `${where}: "rows"[${index}]`)) rows.push(nodeValue(row) as Record<string, unknown>);
    });
    return rows;
  }

  /** `{ "name": "path/to/file" }`: each value a path relative to mergewise.json. */
  private readFileMap(node: Node, where: string, into: Map<string, string>): void {
    for (const [name, fileNode] of this.properties(node, where)) {
      if (this.expectType(fileNode, 'string', `${where}: "${name}"`)) into.set(name, fileNode.value);
    }
  }

  private readFields(node: Node, prefix: string, where: string): void {
    const keys = new Set<string>();
    for (const [name, fieldNode, keyNode] of this.properties(node, where)) {
      if (!name.trim()) {
        this.problem(spanOf(keyNode), `A field name in ${where} is empty.`);
        continue;
      }
      // A key repeated in this object is already reported by `properties`: the later one replaces the earlier.
      if (keys.has(name)) this.schema.fields.delete(prefix + name);
      keys.add(name);
      this.readField(prefix + name, fieldNode, keyNode);
    }
  }

  private readField(path: string, node: Node, keyNode: Node): void {
    const where = `field "${path}"`;
    if (node.type !== 'object') {
      this.problem(spanOf(node), `Expected ${where} to be an object such as {"type": "string"}, found ${describeNode(node)}.`);
      return;
    }
    const field: FieldSpec = {
      path, aliases: {}, required: false, keySpan: spanOf(keyNode), open: true,
    };
    let typeSeen = false;
    let children: { node: Node; prefix: string; where: string } | undefined;
    for (const [key, value] of this.properties(node, where, FIELD_KEYS)) {
      switch (key) {
        case 'type': {
          const type = this.enumValue(value, FIELD_TYPES, `${where}: "type"`);
          if (type) { field.type = type as FieldType; typeSeen = true; }
          break;
        }
        case 'source': {
          const source = this.enumValue(value, SOURCES, `${where}: "source"`);
          if (source) field.source = source as FieldSpec['source'];
          break;
        }
        case 'sensitivity': {
          const sensitivity = this.enumValue(value, SENSITIVITIES, `${where}: "sensitivity"`);
          if (sensitivity) field.sensitivity = sensitivity as FieldSpec['sensitivity'];
          break;
        }
        case 'description':
          if (this.expectType(value, 'string', `${where}: "description"`)) {
            field.description = value.value;
            field.descriptionSpan = spanOf(value);
          }
          break;
        case 'expected':
          if (this.expectType(value, 'boolean', `${where}: "expected"`)) field.expected = value.value;
          break;
        case 'required':
          if (this.expectType(value, 'boolean', `${where}: "required"`)) field.required = value.value;
          break;
        case 'fallback':
          if (value.type === 'string' || value.type === 'number' || value.type === 'boolean') {
            field.fallback = String(value.value);
          } else {
            this.problem(spanOf(value), `${capitalize(where)}: "fallback" must be text (or a number), found ${describeNode(value)}.`);
          }
          break;
        case 'examples':
          if (this.expectType(value, 'array', `${where}: "examples"`)) field.examples = nodeValue(value) as unknown[];
          break;
        case 'maxAgeDays':
          if (value.type !== 'number' || value.value <= 0) {
            this.problem(spanOf(value), `${capitalize(where)}: "maxAgeDays" must be a number of days above 0, found ${describeNode(value)}.`);
          } else {
            field.maxAgeDays = value.value;
          }
          break;
        case 'deprecated':
          if (value.type === 'string') field.deprecated = value.value;
          else if (value.type === 'boolean') { if (value.value) field.deprecated = 'deprecated'; }
          else this.problem(spanOf(value), `${capitalize(where)}: "deprecated" must be a message such as "use customer.given_name", or true.`);
          break;
        case 'aliases':
          for (const [dialect, aliasNode, dialectKey] of this.properties(value, `${where}: "aliases"`)) {
            if (!isDialectId(dialect)) {
              this.problem(spanOf(dialectKey), `${capitalize(where)}: unknown dialect "${dialect}" in "aliases"; expected one of ${DIALECT_IDS.join(', ')}.`);
            } else if (this.expectType(aliasNode, 'string', `${where}: aliases.${dialect}`)) {
              field.aliases[dialect] = aliasNode.value;
            }
          }
          break;
        case 'items': {
          const itemFields = value.type === 'object' ? propertyNode(value, 'fields') : undefined;
          if (value.type !== 'object') {
            this.problem(spanOf(value), `${capitalize(where)}: "items" must be an object such as {"fields": {"title": {"type": "string"}}}.`);
          } else if (itemFields) {
            children = { node: itemFields, prefix: `${path}[].`, where: `${where} items` };
          }
          for (const [itemKey, , itemKeyNode] of value.type === 'object' ? this.entries(value) : []) {
            if (itemKey !== 'fields') this.problem(spanOf(itemKeyNode), `${capitalize(where)}: unknown property "${itemKey}" in "items"; expected "fields".`, 'warning');
          }
          break;
        }
        case 'fields':
          children = { node: value, prefix: `${path}.`, where };
          break;
      }
    }
    // A field with no "type" is untyped: accepted, its values taken as they are, never type-checked
    // (`mergewise init` leaves the type out where the uses do not tell it).
    if (children) {
      field.open = false;
      const expectedType = children.prefix.endsWith('[].') ? 'array' : 'object';
      if (typeSeen && field.type !== expectedType) {
        this.problem(spanOf(keyNode), `${capitalize(where)} has sub-fields but "type" is "${field.type}"; expected "${expectedType}".`);
      }
      // Sub-fields tell the type when none is written.
      if (!node.children?.some((p) => p.children?.[0]?.value === 'type')) field.type = expectedType;
    }
    if (this.schema.fields.has(path)) {
      this.problem(spanOf(keyNode), `Field "${path}" is declared twice; the later declaration wins.`);
    }
    this.schema.fields.set(path, field);
    if (children) this.readFields(children.node, children.prefix, children.where);
  }

  private readPurpose(id: string, node: Node, keyNode: Node): void {
    const where = `purpose "${id}"`;
    if (node.type !== 'object') {
      this.problem(spanOf(node), `Expected ${where} to be an object with "segment", "tactic" and "metric", found ${describeNode(node)}.`);
      return;
    }
    const purpose: Purpose = { id, fields: [], templates: [], keySpan: spanOf(keyNode) };
    for (const [key, value] of this.properties(node, where, PURPOSE_KEYS)) {
      switch (key) {
        case 'segment':
        case 'tactic':
        case 'metric':
        case 'description':
          if (this.expectType(value, 'string', `${where}: "${key}"`)) purpose[key] = value.value;
          break;
        case 'fields':
          purpose.fields = this.stringArray(value, `${where}: "fields"`);
          for (const item of value.type === 'array' ? value.children ?? [] : []) {
            if (item.type === 'string') this.purposeFieldEntries.push({ purpose, path: item.value, span: spanOf(item) });
          }
          break;
        case 'templates':
          purpose.templates = this.stringArray(value, `${where}: "templates"`);
          this.checkGlobs(value, `${where}: "templates"`);
          break;
      }
    }
    this.schema.purposes.set(id, purpose);
  }

  /** Runs after all fields are read, since purposes may be declared before the fields they list. */
  private checkPurposeFields(): void {
    for (const { purpose, path, span } of this.purposeFieldEntries) {
      if (!this.schema.fields.has(path)) {
        const suggestions = closestNames(path, this.schema.fields.keys());
        this.problem(span,
          `Purpose "${purpose.id}" lists "${path}", which is not a declared field` +
          (suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : '.'),
          'warning');
      }
    }
  }

  private readRules(node: Node): void {
    for (const [rule, value, keyNode] of this.properties(node, 'rules')) {
      if (!(RULE_IDS as readonly string[]).includes(rule)) {
        const suggestions = closestNames(rule, RULE_IDS, 1);
        this.problem(spanOf(keyNode), `Unknown rule "${rule}" in "rules"` +
          (suggestions.length ? `; did you mean "${suggestions[0]}"?` : `; expected one of ${RULE_IDS.join(', ')}.`));
        continue;
      }
      const setting = this.enumValue(value, SEVERITY_SETTINGS, `rules["${rule}"]`);
      if (setting) this.schema.rules[rule as RuleId] = setting as SeveritySetting;
    }
  }

  /** Yields [key, value, keyNode] for an object node; reports unknown keys and duplicates. */
  private *properties(node: Node, where: string, allowedKeys?: readonly string[]): Generator<[string, Node, Node]> {
    if (node.type !== 'object') {
      this.problem(spanOf(node), `Expected ${where} to be an object, found ${describeNode(node)}.`);
      return;
    }
    const seen = new Set<string>();
    for (const [key, value, keyNode] of this.entries(node)) {
      if (seen.has(key)) {
        this.problem(spanOf(keyNode), `"${key}" appears twice in ${where}; only the last one counts.`, 'warning');
      }
      seen.add(key);
      if (allowedKeys && !allowedKeys.includes(key)) {
        const suggestions = closestNames(key, allowedKeys, 1);
        this.problem(spanOf(keyNode), `Unknown property "${key}" in ${where}` +
          (suggestions.length ? `; did you mean "${suggestions[0]}"?` : `; expected one of ${allowedKeys.join(', ')}.`), 'warning');
        continue;
      }
      yield [key, value, keyNode];
    }
  }

  private *entries(node: Node): Generator<[string, Node, Node]> {
    for (const property of node.children ?? []) {
      const [keyNode, value] = property.children ?? [];
      if (keyNode && value) yield [String(keyNode.value), value, keyNode];
    }
  }

  /** Globs too complex to match safely (see `globProblem`) are reported; they match nothing. */
  private checkGlobs(node: Node, where: string): void {
    for (const item of node.type === 'array' ? node.children ?? [] : [node]) {
      const problem = item.type === 'string' ? globProblem(item.value) : undefined;
      if (problem) this.problem(spanOf(item), `${capitalize(where)}: "${item.value}" is too complex a glob to match safely (${problem}), so it matches nothing. Simplify it.`);
    }
  }

  /** `handlebars.helpers`: names as Handlebars reads a helper's (an identifier, no dots or spaces). */
  private helperNames(node: Node): string[] {
    if (!this.expectType(node, 'array', 'handlebars: "helpers"')) return [];
    const names: string[] = [];
    for (const item of node.children ?? []) {
      if (!this.expectType(item, 'string', 'each entry of handlebars: "helpers"')) continue;
      if (HELPER_NAME.test(item.value)) names.push(item.value);
      else this.problem(spanOf(item), `Handlebars: "helpers": "${item.value}" is not a helper name: a name has no spaces, dots, slashes or quotes, as in "formatPrice".`);
    }
    return names;
  }

  private stringArray(node: Node, where: string): string[] {
    if (!this.expectType(node, 'array', where)) return [];
    const values: string[] = [];
    for (const item of node.children ?? []) {
      if (this.expectType(item, 'string', `each entry of ${where}`)) values.push(item.value);
    }
    return values;
  }

  private dialect(node: Node, where: string): DialectId | undefined {
    return this.enumValue(node, DIALECT_IDS, where) as DialectId | undefined;
  }

  private enumValue(node: Node, allowed: readonly string[], where: string): string | undefined {
    if (node.type === 'string' && allowed.includes(node.value)) return node.value;
    const suggestion = node.type === 'string' ? closestNames(node.value, allowed, 1)[0] : undefined;
    this.problem(spanOf(node), `${capitalize(where)} must be one of ${allowed.join(', ')}; found ${describeNode(node)}` +
      (suggestion ? ` (did you mean "${suggestion}"?)` : '') + '.');
    return undefined;
  }

  private expectType(node: Node, type: Node['type'], where: string): boolean {
    if (node.type === type) return true;
    this.problem(spanOf(node), `${capitalize(where)} must be ${article(type)} ${type}, found ${describeNode(node)}.`);
    return false;
  }

  private problem(span: Span, message: string, severity: Severity = 'error'): void {
    this.diagnostics.push({ rule: SCHEMA_ERROR, severity, span, message: readableMessage(message) });
  }
}

function propertyNode(node: Node, key: string): Node | undefined {
  return node.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1];
}

function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.children ?? []).map((p) => [p.children?.[0]?.value, p.children?.[1] ? nodeValue(p.children[1]) : undefined]));
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

function spanOf(node: Node): Span {
  return { start: node.offset, end: node.offset + node.length };
}

function describeNode(node: Node): string {
  switch (node.type) {
    case 'string': return `"${node.value}"`;
    case 'number':
    case 'boolean': return String(node.value);
    case 'null': return 'null';
    case 'array': return 'a list';
    case 'object': return 'an object';
    default: return node.type;
  }
}

function describeParseError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
