/**
 * Issue 18's acceptance, measured on real public templates nobody on the team wrote
 * (test/real-world/SOURCES.md): `mergewise check --format json` with an empty schema must list every
 * merge-field reference of the hand-made answer keys (test/real-world/keys/*.json) with its exact line
 * (recall >= 98%), report no syntax error on these published templates, and never report one of
 * the platform's own tags as an unknown field.
 *
 * Templates whose licence allows it are stored under test/real-world/fixtures/; the others are only
 * named in their key (repo, path, commit) and read from test/real-world/local/, which git ignores: put
 * them there to measure them too (SOURCES.md says how). Every stored fixture's key is run; a key-only
 * template absent from local/ is not, and the run names it (never a silent skip).
 *
 * Shopify keys are checked with `"liquid": {"platform": "shopify"}`, so Shopify's own names
 * (`shop.name`, `email_title`) are its system tags rather than Braze's.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, workspacesRemovedAfter } from '../helpers/workspace';
import { LIQUID_PLATFORMS } from '../../server/src/core/dialects/ids';

const ROOT = path.join(__dirname, '..', 'real-world');
const ws = workspacesRemovedAfter();

interface Key {
  id: string;
  platform: string;
  dialect: string;
  file: string;
  source: { repo: string; path: string; commit: string; licence: string; stored: 'fixtures' | 'local' };
  valid: boolean;
  /** Why the key reads the template as it does, where a reader could doubt it (required when `fields` is empty). */
  note?: string;
  /** [path, 1-based line] */
  fields: [string, number][];
  systemTags: [string, number][];
}

interface Range { start: { line: number; character: number } }
interface Report {
  files: {
    path: string;
    dialect: string | null;
    diagnostics: { rule: string; message: string; field?: string; range: Range }[];
    fields?: { path: string; range: Range; file?: string }[];
  }[];
}

const keys: Key[] = fs.readdirSync(path.join(ROOT, 'keys'))
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(fs.readFileSync(path.join(ROOT, 'keys', name), 'utf8')) as Key);
const present = keys.filter((key) => fs.existsSync(path.join(ROOT, key.file)));
const notRun = keys.filter((key) => !present.includes(key));
/** The templates stored in the repository (MIT): always there, so always run. */
const STORED_FIXTURES = 6;

/** The mergewise.json options a key's platform needs: `"liquid": {"platform": …}` for Shopify. */
function platformOptions(key: Key): Record<string, unknown> {
  return key.dialect === 'liquid' && (LIQUID_PLATFORMS as readonly string[]).includes(key.platform) ? { liquid: { platform: key.platform } } : {};
}

/** AMPscript and Mailchimp names are compared as their platforms compare them: without case. */
const norm = (dialect: string, name: string) => (dialect === 'ampscript' || dialect === 'mailchimp' ? name.toLowerCase() : name);

interface Outcome {
  key: Key;
  matched: number;
  missed: string[];
  /** Fields the check reports that the key does not list (against precision). */
  extra: string[];
  syntaxErrors: string[];
  systemTagsAsUnknown: string[];
}

function measure(): Outcome[] {
  const outcomes: Outcome[] = [];
  // One workspace per dialect and platform options: Shopify's Liquid is not Braze's.
  const groups = new Map<string, Key[]>();
  for (const key of present) {
    const group = JSON.stringify({ dialect: key.dialect, ...platformOptions(key) });
    groups.set(group, [...(groups.get(group) ?? []), key]);
  }
  for (const [group, members] of groups) {
    const { dialect } = JSON.parse(group) as { dialect: string };
    const files: Record<string, string | Buffer> = { 'mergewise.json': JSON.stringify({ ...JSON.parse(group), fields: {} }) };
    for (const key of members) files[`t/${path.basename(key.file)}`] = fs.readFileSync(path.join(ROOT, key.file));
    const run = cli(['check', '--format', 'json'], ws(files));
    const report = JSON.parse(run.stdout) as Report;
    for (const key of members) {
      const file = report.files.find((f) => f.path === `t/${path.basename(key.file)}`);
      assert.ok(file, `${key.id}: not in the report (${run.stderr})`);
      const left = (file.fields ?? []).filter((f) => !f.file).map((f) => `${norm(dialect, f.path)}@${f.range.start.line + 1}`);
      const missed: string[] = [];
      let matched = 0;
      for (const [name, line] of key.fields) {
        const at = left.indexOf(`${norm(dialect, name)}@${line}`);
        if (at >= 0) { left.splice(at, 1); matched++; } else missed.push(`${name}@${line}`);
      }
      const syntaxErrors = file.diagnostics.filter((d) => d.rule === 'syntax-error').map((d) => `${d.range.start.line + 1}: ${d.message}`);
      const unknown = file.diagnostics.filter((d) => d.rule === 'unknown-field');
      const systemTagsAsUnknown = key.systemTags
        .filter(([name, line]) => unknown.some((d) => d.range.start.line + 1 === line && (d.field ?? d.message).toLowerCase().includes(name.toLowerCase())))
        .map(([name, line]) => `${name}@${line}`);
      outcomes.push({ key, matched, missed, extra: left, syntaxErrors, systemTagsAsUnknown });
    }
  }
  return outcomes;
}

describe(`mergewise check on real public templates (issue 18): ${present.length} of ${keys.length} keys run`, () => {
  const outcomes = present.length > 0 ? measure() : [];

  test('every key names its source and a template line for each reference', () => {
    for (const key of keys) {
      assert.match(key.source.commit, /^[0-9a-f]{40}$/, key.id);
      assert.ok(key.fields.length > 0 || key.note, `${key.id}: no field and no note saying why`);
      assert.ok(key.source.stored === 'fixtures' || key.source.stored === 'local', `${key.id}: source.stored`);
      assert.ok(key.file.startsWith(`${key.source.stored}/`), `${key.id}: ${key.file} is not under ${key.source.stored}/`);
    }
  });

  test(`every stored fixture's key is run (${present.length} run, ${notRun.length} key-only not in local/)`, (t) => {
    const fixtures = keys.filter((key) => key.source.stored === 'fixtures');
    const missing = fixtures.filter((key) => !present.includes(key)).map((key) => `${key.id}: ${key.file}`);
    assert.deepEqual(missing, [], 'a stored fixture is missing from test/real-world/fixtures/');
    assert.ok(fixtures.length >= STORED_FIXTURES, `${fixtures.length} stored fixtures, expected at least ${STORED_FIXTURES}`);
    assert.ok(outcomes.length >= STORED_FIXTURES, `${outcomes.length} templates run`);
    assert.equal(outcomes.length, present.length);
    t.diagnostic(`${outcomes.length} of ${keys.length} keys run (${fixtures.length} stored fixtures, ${present.length - fixtures.length} key-only from test/real-world/local/)`);
    for (const key of notRun) t.diagnostic(`not run, text not stored: ${key.id} (put ${key.source.repo}/${key.source.path} at test/real-world/${key.file}, see SOURCES.md)`);
  });

  test('field recall with exact lines is at least 98%, overall and per platform (precision reported beside it)', (t) => {
    const perPlatform = new Map<string, { matched: number; total: number; extra: number; missed: string[] }>();
    for (const o of outcomes) {
      const p = perPlatform.get(o.key.platform) ?? { matched: 0, total: 0, extra: 0, missed: [] };
      p.matched += o.matched;
      p.total += o.key.fields.length;
      p.extra += o.extra.length;
      p.missed.push(...o.missed.map((m) => `${o.key.id}: ${m}`));
      perPlatform.set(o.key.platform, p);
      if (o.extra.length) t.diagnostic(`${o.key.id}: reported, not in the key: ${o.extra.join(', ')}`);
    }
    const percent = (part: number, whole: number) => (whole ? `${(part / whole * 100).toFixed(1)}%` : '-');
    let matched = 0;
    let total = 0;
    let extra = 0;
    for (const [platform, p] of [...perPlatform].sort()) {
      matched += p.matched;
      total += p.total;
      extra += p.extra;
      t.diagnostic(`${platform}: recall ${percent(p.matched, p.total)} (${p.matched}/${p.total}), precision ${percent(p.matched, p.matched + p.extra)} (${p.matched}/${p.matched + p.extra})`);
    }
    t.diagnostic(`overall: recall ${percent(matched, total)} (${matched}/${total}), precision ${percent(matched, matched + extra)} on ${outcomes.length} of ${keys.length} templates (the others are not in test/real-world/local/)`);
    const missed = [...perPlatform.values()].flatMap((p) => p.missed);
    const below = [...perPlatform].filter(([, p]) => p.total > 0 && p.matched / p.total < 0.98).map(([platform]) => platform);
    assert.ok(total > 0);
    assert.deepEqual({ overallBelow98: matched / total < 0.98, platformsBelow98: below, missed }, { overallBelow98: false, platformsBelow98: [], missed });
  });

  test('no syntax error on a template its platform accepts', () => {
    const errors = outcomes.filter((o) => o.key.valid).flatMap((o) => o.syntaxErrors.map((e) => `${o.key.id}: ${e}`));
    assert.deepEqual(errors, []);
  });

  test('no system tag is reported as an unknown field', () => {
    const wrong = outcomes.flatMap((o) => o.systemTagsAsUnknown.map((s) => `${o.key.id}: ${s}`));
    assert.deepEqual(wrong, []);
  });
});
