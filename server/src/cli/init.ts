/**
 * `mergewise init [PATH...] [--merge] [--dry-run] [--alias FIELD=dialect:NAME]`: reads the templates
 * as `check` does, and writes the `mergewise.json` that declares what they use, plus two sample
 * recipients. It never replaces a file: with a `mergewise.json` already there it shows what it would
 * add, and `--merge` adds only that, through edits that keep the file's comments and formatting.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDialectId, DIALECT_IDS } from '../core/dialects/ids';
import type { AliasConfirmation, InitProposal, InitSummary } from '../core/init';
import { plannedFiles, runInitIn, type InitFile } from '../core/init/run';
import type { Findings } from '../core/init/workspace';
import { loadSchema, SCHEMA_FILE_NAME } from '../core/schema/load';
import { SchemaIndex, toPosix } from '../core/workspace';
import { nodeFileSystem } from '../node-fs';
import { collectTemplates } from './collect';
import { unifiedDiff } from './diff';
import { writeFileAtomically } from './fix';
import { UsageError } from './preview';
import { dataSummaryText, type FromData } from '../core/init/from-data';

export interface InitOptions {
  paths: string[];
  cwd: string;
  merge: boolean;
  dryRun: boolean;
  /** `FIELD=dialect:NAME`, as given. */
  aliases: string[];
  format: 'text' | 'json';
  now?: Date;
  /** `--from-data`: the source's columns and profile (read by cli/init-from-data.ts). Alone, no templates are read. */
  fromData?: FromData;
}

interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Relative to the schema's folder. */
type PlannedFile = InitFile;

/** Parses `--alias customer.first_name=mailchimp:FNAME`. */
export function parseAlias(option: string): AliasConfirmation {
  const equals = option.indexOf('=');
  const colon = equals === -1 ? -1 : option.indexOf(':', equals);
  const field = option.slice(0, equals).trim();
  const dialect = option.slice(equals + 1, colon).trim();
  const name = option.slice(colon + 1).trim();
  if (equals <= 0 || colon === -1 || !field || !name) {
    throw new UsageError(`--alias takes FIELD=dialect:NAME (e.g. customer.first_name=mailchimp:FNAME), not "${option}".`);
  }
  if (!isDialectId(dialect)) throw new UsageError(`--alias "${option}": unknown dialect "${dialect}"; the dialects are ${DIALECT_IDS.join(', ')}.`);
  return { field, dialect, name };
}

export function runInit(options: InitOptions, out: Output): number {
  const aliases = options.aliases.map(parseAlias);
  const seen = new Map<string, string>();
  for (const alias of aliases) {
    const key = `${alias.field}\0${alias.dialect}`;
    if (seen.has(key) && seen.get(key) !== alias.name) {
      throw new UsageError(`--alias gives ${alias.field} two names in ${alias.dialect} ("${seen.get(key)}" and "${alias.name}"); a field has one name per platform.`);
    }
    seen.set(key, alias.name);
  }
  const inputs = options.paths.length ? options.paths : options.fromData ? [] : ['.'];
  const first = path.resolve(options.cwd, inputs[0] ?? '.');
  const dir = inputs.length === 1 && isDirectory(first) ? first : options.cwd;
  const schemaFile = path.join(dir, SCHEMA_FILE_NAME);
  // As check collects them: a file an existing mergewise.json's `templates` glob names is a template whatever its extension.
  const index = new SchemaIndex(nodeFileSystem);
  const collected = collectTemplates(inputs, options.cwd, index);
  if (collected.problems.length) throw new UsageError(collected.problems.join(' '));
  const notices: string[] = [...collected.notices];

  let existingText: string | undefined;
  try {
    existingText = nodeFileSystem.readText(schemaFile);
  } catch (error) {
    out.stderr(`mergewise: cannot read ${schemaFile}: ${(error as Error).message}\n`);
    return 2;
  }
  const existing = existingText === undefined ? undefined : loadSchema(existingText, schemaFile, dir);
  if (existing && !existing.parsed) {
    out.stderr(`mergewise: ${schemaFile} is not valid JSON: fix it first (mergewise check ${toPosix(path.relative(options.cwd, schemaFile)) || SCHEMA_FILE_NAME} says where).\n`);
    return 2;
  }
  const dryRun = options.dryRun || (existing !== undefined && !options.merge);

  // The templates this mergewise.json will govern: under its folder, and not under another one below it.
  const { proposal, findings, notices: skipped, fromData } = runInitIn({
    fs: nodeFileSystem,
    dir,
    templates: collected.templates,
    existing: existing && existingText !== undefined ? { text: existingText, loaded: existing } : undefined,
    aliases,
    exists: (relative) => fs.existsSync(path.join(dir, relative)),
    size: (file) => fs.statSync(file).size,
    now: options.now,
    fromData: options.fromData,
  }, (file) => toPosix(path.relative(options.cwd, file)));
  notices.push(...skipped);
  const planned = plannedFiles(proposal, existing ? existingText : undefined);

  let writeError: string | undefined;
  if (!dryRun) writeError = writeAll(dir, planned);
  const shownDir = toPosix(path.relative(options.cwd, dir)) || '.';
  if (options.format === 'json') {
    out.stdout(`${JSON.stringify({
      folder: shownDir,
      written: !dryRun && !writeError,
      files: planned.map((file) => ({ path: file.path, action: file.action, ...(dryRun && file.text !== undefined ? { text: file.text } : {}) })),
      summary: proposal.summary,
      findings,
      notices,
      ...(fromData ? { fromData } : {}),
    }, null, 2)}\n`);
  } else {
    if (dryRun) out.stdout(dryRunText(planned, existing !== undefined && !options.merge));
    out.stdout(summaryText(proposal, findings, planned, dryRun, writeError !== undefined, shownDir));
    if (fromData) out.stdout(dataSummaryText(fromData));
  }
  for (const notice of notices) out.stderr(`mergewise: ${notice}\n`);
  if (writeError) {
    out.stderr(`mergewise: ${writeError}\n`);
    return 2;
  }
  return 0;
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes every planned file or none: each new one goes to a temporary file beside it first; only
 * when all are ready are they linked into place (a link never replaces a file that appeared since).
 * Returns what failed, naming the path.
 */
function writeAll(dir: string, planned: PlannedFile[]): string | undefined {
  const ready: { temporary: string; target: string }[] = [];
  const cleanUp = () => { for (const { temporary } of ready) try { fs.unlinkSync(temporary); } catch { /* already gone */ } };
  let target = '';
  try {
    for (const file of planned) {
      if (file.action !== 'create') continue;
      target = path.join(dir, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (fs.existsSync(target)) throw Object.assign(new Error('it already exists (init never replaces a file)'), { code: 'EEXIST' });
      const temporary = path.join(path.dirname(target), `.${path.basename(target)}.mergewise-init-${process.pid}.tmp`);
      const fd = fs.openSync(temporary, 'wx', 0o666);
      ready.push({ temporary, target });
      try {
        fs.writeSync(fd, file.text!);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    for (const file of planned) {
      if (file.action !== 'merge') continue;
      target = path.join(dir, file.path);
      writeFileAtomically(target, Buffer.from(file.text!, 'utf8'), Buffer.from(file.before!, 'utf8'));
    }
    for (const { temporary, target: into } of ready) {
      target = into;
      try {
        fs.linkSync(temporary, into);
        fs.unlinkSync(temporary);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || fs.existsSync(into)) throw error;
        fs.renameSync(temporary, into); // A file system without hard links.
      }
    }
  } catch (error) {
    cleanUp();
    return `cannot write ${target}: ${(error as Error).message}`;
  }
  return undefined;
}

function dryRunText(planned: PlannedFile[], preview: boolean): string {
  let text = '';
  for (const file of planned) {
    if (file.action === 'create') text += `=== ${file.path} (would create) ===\n${file.text}\n`;
    else if (file.action === 'merge') text += unifiedDiff(file.path, file.before!, file.text!) + '\n';
  }
  if (preview) text += `mergewise.json already exists: nothing was written. Run again with --merge to add what is missing.\n\n`;
  else text += 'Dry run: nothing was written.\n\n';
  return text;
}

const LISTED = 10;

function list(items: string[], indent = '  '): string {
  const shown = items.slice(0, LISTED).map((item) => `${indent}${item}\n`).join('');
  return shown + (items.length > LISTED ? `${indent}… and ${items.length - LISTED} more\n` : '');
}

function summaryText(proposal: InitProposal, findings: Findings, planned: PlannedFile[], dryRun: boolean, failed: boolean, dir: string): string {
  const s: InitSummary = proposal.summary;
  let text = `mergewise init: ${s.fields.length} ${proposal.merged ? 'new ' : ''}field${s.fields.length === 1 ? '' : 's'} from ${s.templates} template${s.templates === 1 ? '' : 's'} in ${dir}` +
    (s.dialects.length ? ` (${s.dialects.map((d) => `${d.dialect} ${d.templates}`).join(', ')})` : '') + '\n';
  if (proposal.merged && s.alreadyDeclared) text += `  ${s.alreadyDeclared} uses are of fields mergewise.json already declares.\n`;
  const files = planned.filter((f) => f.action !== 'keep').map((f) => f.path);
  const kept = planned.filter((f) => f.action === 'keep').map((f) => f.path);
  if (failed) text += 'Nothing was written.\n';
  else if (files.length) text += `${dryRun ? 'Would write' : 'Wrote'}: ${files.join(', ')}\n`;
  else text += 'mergewise.json already declares every field the templates use.\n';
  if (kept.length) text += `Kept as they are (never replaced): ${kept.join(', ')}\n`;
  if (proposal.merged && s.fields.length) text += `\nFields to add: ${s.fields.length}\n${list(s.fields)}`;
  if (s.shopify) {
    text += `\nShopify notifications: written with "liquid": {"platform": "shopify"}, so the names Shopify fills in are not declared as fields: ${s.shopify.names.length}\n` +
      list(s.shopify.names);
  }
  if (s.aliasesAdded.length) text += `\nAliases to add: ${s.aliasesAdded.length}\n${list(s.aliasesAdded)}`;
  if (s.typeUnknown.length) {
    text += `\nType not told by the uses (left out: untyped, never type-checked; add one if you know it): ${s.typeUnknown.length}\n` +
      list(s.typeUnknown.map((f) => f.conditionOnly ? `${f.path} (only tested with if: a flag or text)` : f.path));
  }
  if (s.typeConflicts.length) {
    text += `\nUses that tell different types: ${s.typeConflicts.length}\n${list(s.typeConflicts.map((c) => `${c.path}: ${c.told.join(' and ')}; written as ${c.kept}`))}`;
  }
  if (s.fallbackConflicts.length) {
    text += `\nFallbacks that differ between uses (none written): ${s.fallbackConflicts.length}\n` +
      list(s.fallbackConflicts.map((c) => `${c.path}: ${c.values.map((v) => `${JSON.stringify(v.value)} ×${v.uses}`).join(', ')}`));
  }
  if (s.proposals.length) {
    text += `\nProposals to review (in each field's "description"; source and sensitivity are not set until you set them): ${s.proposals.length}\n` +
      list(s.proposals.map((p) => `${p.path}: ${p.description}`));
  }
  if (s.aliasCandidates.length) {
    text += `\nAlias candidates (kept as separate fields; confirm with --alias): ${s.aliasCandidates.length}\n` +
      list(s.aliasCandidates.map((c) => `${c.field} ~ ${c.others.map((o) => `${o.dialect} ${o.path}`).join(' ~ ')}\n      ${c.options.join(' ')}`));
  }
  if (s.aliasConflicts.length) text += `\nAlias conflicts: ${s.aliasConflicts.length}\n${list(s.aliasConflicts)}`;
  if (s.suspectedTypos.length) {
    text += `\nSuspected typos (not declared: check reports them, with the name they likely meant): ${s.suspectedTypos.length}\n` +
      list(s.suspectedTypos.map((t) => `${t.path} (${t.uses} ${t.uses === 1 ? 'use' : 'uses'}) ~ ${t.like}`));
  }
  if (s.syntaxErrors.length) {
    text += `\nTemplates with syntax errors (their fields were still read): ${s.syntaxErrors.length}\n` +
      list(s.syntaxErrors.map((e) => `${e.path}: ${e.count} (first: ${e.first})`));
  }
  const rules = Object.entries(findings.counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = rules.reduce((sum, [, count]) => sum + count, 0);
  text += total
    ? `\nWith this mergewise.json, mergewise check reports ${total} finding${total === 1 ? '' : 's'} (hints not counted): ${rules.map(([rule, count]) => `${rule} ${count}`).join(', ')}\n` +
      list(findings.first.map((f) => `${f.path}:${f.line}:${f.column} ${f.severity} ${f.rule}: ${f.message}`))
    : '\nWith this mergewise.json, mergewise check reports no findings (hints not counted).\n';
  if (findings.dialectChanged.length) text += `\nTemplates that would change dialect (please report this): ${findings.dialectChanged.length}\n${list(findings.dialectChanged)}`;
  return text;
}
