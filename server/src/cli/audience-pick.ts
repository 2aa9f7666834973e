/**
 * `mergewise audience … --pick N --out DIR`: writes up to N real rows that together exercise every
 * fallback, blank, stale value and translated branch of the templates, as sample recipients. The
 * greedy set cover runs in DuckDB through `query` (cli/audience.ts owns the connection): only target
 * ids and row numbers come back per step, and the picked rows' values at the end.
 *
 * Files are never replaced: when any name this run would write (`audience-01.json`, …) exists, the
 * run stops with exit 2 and writes nothing. All files are written to temporary files first and
 * linked into place only when all are ready.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ColumnMapping } from '../core/audience/columns';
import type { ConditionRegistry, TemplatePlan } from '../core/audience/plan';
import {
  buildCandidatesSql, candidateSummarySql, greedyPick, pickedRecipient, pickedRowsSql, pickTargets, PICK_TABLE,
} from '../core/audience/pick';
import { selectRecipientFiles } from '../core/preview/recipients';
import type { Schema } from '../core/schema/types';
import { toPosix } from '../core/workspace';

export interface PickOptions {
  count: number;
  out: string;
  keepValues: boolean;
  format: 'text' | 'json';
}

export interface PickSession {
  query: (sql: string) => Promise<Record<string, unknown>[]>;
  relation: string;
  where?: string;
  description: string;
  schema: Schema;
  mapping: ColumnMapping;
  plans: { plan: TemplatePlan; file: string }[];
  conditions: ConditionRegistry;
  now: Date;
  cwd: string;
}

/** Rows kept per target as candidates for the greedy steps. */
const PER_TARGET = 64;

/** Thrown for a refusal (an existing file, a folder that cannot be written): exit 2. */
export class PickRefused extends Error {}

export interface PickReport {
  source: string;
  targets: number;
  candidates: number;
  picked: { file: string; covers: string[] }[];
  uncovered: string[];
  untargetable: { template: string; line: number; condition: string; reason: string }[];
  approximate: string[];
  faked: string[];
  keptValues: boolean;
  /** Whether mergewise.json's `recipients` globs select the written files; when not, the glob to add. */
  previewLoads: boolean;
  addGlob?: string;
}

export async function runPick(session: PickSession, options: PickOptions, io: { stdout: (t: string) => void; stderr: (t: string) => void }): Promise<number> {
  const shown = (file: string) => toPosix(path.relative(session.cwd, file)) || path.basename(file);
  const { targets, untargetable } = pickTargets(session.plans.map((p) => ({ plan: p.plan, display: shown(p.file) })), session.mapping.fields);
  const outDir = path.resolve(session.cwd, options.out);
  const width = Math.max(2, String(options.count).length);
  const names = Array.from({ length: options.count }, (_, i) => `audience-${String(i + 1).padStart(width, '0')}.json`);
  const existing = names.filter((name) => fs.existsSync(path.join(outDir, name)));
  if (existing.length) {
    throw new PickRefused(`${shown(path.join(outDir, existing[0]))} already exists${existing.length > 1 ? ` (and ${existing.length - 1} more audience-*.json)` : ''}: ` +
      '--pick never replaces a file. Remove the audience-*.json files there, or give another --out.');
  }

  await session.query(buildCandidatesSql({
    relation: session.relation, where: session.where, fields: session.mapping.fields, conditions: session.conditions,
    targets, now: session.now, perTarget: Math.max(PER_TARGET, options.count),
  }));
  const [summary] = await session.query(candidateSummarySql());
  const candidates = Number(summary?.candidates ?? 0);
  const picks = await greedyPick(options.count, session.query);
  const rows = picks.length ? await session.query(pickedRowsSql(picks.map((p) => p.rid))) : [];
  await session.query(`DROP TABLE IF EXISTS ${PICK_TABLE}`);
  const byRid = new Map(rows.map((row) => [Number(row.mw_rid), row.mw_row as Record<string, unknown>]));
  const label = new Map(targets.map((t) => [t.id, t.label]));
  const covered = new Set<number>();
  const faked = new Set<string>();
  const files = picks.map((pick, i) => {
    for (const id of pick.covers) covered.add(id);
    const recipient = pickedRecipient(byRid.get(pick.rid) ?? {}, pick.rid, session.mapping.fields, pick.covers.sort((a, b) => a - b).map((id) => label.get(id)!), options.keepValues);
    for (const field of recipient.faked) faked.add(field);
    return { name: names[i], text: recipient.text, covers: pick.covers.map((id) => label.get(id)!) };
  });
  if (files.length) writeAllNew(outDir, files);

  const relativeOut = toPosix(path.relative(session.schema.dir, outDir));
  const inside = relativeOut === '' || (!relativeOut.startsWith('..') && !path.isAbsolute(relativeOut));
  const sample = relativeOut ? `${relativeOut}/${names[0]}` : names[0];
  const previewLoads = inside && selectRecipientFiles(session.schema, [sample]).length > 0;
  const report: PickReport = {
    source: session.description,
    targets: targets.length,
    candidates,
    picked: files.map((f) => ({ file: shown(path.join(outDir, f.name)), covers: f.covers })),
    uncovered: targets.filter((t) => !covered.has(t.id)).map((t) => t.label),
    untargetable,
    approximate: targets.filter((t) => t.approximate).map((t) => t.label),
    faked: [...faked].sort(),
    keptValues: options.keepValues,
    previewLoads,
    ...(!previewLoads && inside ? { addGlob: relativeOut ? `${relativeOut}/*.json` : '*.json' } : {}),
  };
  io.stdout(options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : pickText(report, shown(outDir), session.schema));
  return 0;
}

function pickText(report: PickReport, outDir: string, schema: Schema): string {
  const out: string[] = [];
  const coveredCount = report.targets - report.uncovered.length;
  out.push(`${report.source}: picked ${report.picked.length} row${report.picked.length === 1 ? '' : 's'} covering ${coveredCount} of ${report.targets} targets ` +
    `(fallbacks, blanks, stale values, branches; from ${report.candidates} candidate rows)`);
  for (const p of report.picked) out.push(`  ${p.file}: ${p.covers.join(', ')}`);
  if (report.uncovered.length) out.push('', `No row covers: ${report.uncovered.join(', ')}`);
  if (report.untargetable.length) {
    out.push('', 'Branches no row can be chosen for (condition not translated):');
    for (const u of report.untargetable) out.push(`  ${u.template}:${u.line} ${u.condition}: ${u.reason}`);
  }
  if (report.approximate.length) out.push('', `Reached under a condition that could not be translated (a row may not really show them): ${report.approximate.join(', ')}`);
  if (report.faked.length) out.push('', `Personal values replaced by fakes (--keep-values keeps them): ${report.faked.join(', ')}`);
  else if (report.keptValues) out.push('', 'Values kept as they are in the source (--keep-values).');
  if (report.picked.length) {
    if (report.previewLoads) out.push('', `mergewise.json's "recipients" globs select ${outDir}: the preview loads these rows.`);
    else if (report.addGlob) {
      out.push('', `mergewise.json's "recipients" (${JSON.stringify(schema.recipients)}) does not select ${outDir}: add "${report.addGlob}" to it for the preview to load these rows.`);
    } else out.push('', `${outDir} is outside the folder of mergewise.json, so the preview cannot load these rows: give an --out inside it.`);
  }
  return `${out.join('\n')}\n`;
}

/** Writes every file or none, never replacing one: temporary files first, then linked into place. */
function writeAllNew(dir: string, files: { name: string; text: string }[]): void {
  const ready: { temporary: string; target: string }[] = [];
  const linked: string[] = [];
  let target = dir;
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const file of files) {
      target = path.join(dir, file.name);
      const temporary = path.join(dir, `.${file.name}.mergewise-pick-${process.pid}.tmp`);
      const fd = fs.openSync(temporary, 'wx', 0o666);
      ready.push({ temporary, target });
      try {
        fs.writeSync(fd, file.text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    for (const { temporary, target: into } of ready) {
      target = into;
      fs.linkSync(temporary, into); // Fails when the name appeared since: nothing is replaced.
      linked.push(into);
    }
  } catch (error) {
    for (const file of linked) try { fs.unlinkSync(file); } catch { /* already gone */ }
    const code = (error as NodeJS.ErrnoException).code;
    throw new PickRefused(code === 'EEXIST'
      ? `${target} already exists: --pick never replaces a file; nothing was written.`
      : `${target} could not be written (${(error as Error).message}); nothing was written.`);
  } finally {
    for (const { temporary } of ready) try { fs.unlinkSync(temporary); } catch { /* already gone */ }
  }
}
