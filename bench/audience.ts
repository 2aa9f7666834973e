/**
 * Audience coverage (issue 17): `mergewise audience` on a generated audience of 10 million rows and
 * 30 columns, in Parquet and in CSV, against 20 Liquid templates, each run a whole process
 * (`node dist/cli.js audience … --format json > /dev/null`, not pinned: the target names 2 cores),
 * in turns with a plain Node streaming pass over the same CSV that counts only the non-empty values
 * per column (bench/baseline-fill-rates.mjs).
 *
 * The workspace, under bench/generated/audience/ (regenerated when AUDIENCE_GENERATOR_VERSION or the
 * row count changes): a mergewise.json whose 29 fields match the columns by their last segment
 * (one by `audience.columns`)
 * (names, city, plan, tier, dates with maxAgeDays, numbers, booleans; some with fallbacks), an
 * `updated_at` column, 20 templates in emails/, and audience.parquet and audience.csv written by
 * DuckDB itself from `range(rows)` with values drawn from hashes of the row number (deterministic).
 *
 * Run alone: `node --import tsx bench/audience.ts` generates; `node --import tsx bench/run.ts
 * --audience-only` generates when needed and measures.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, GENERATED_DIR, Random, SEED } from './generate';
import { median } from './measure';

/** Bump when the output changes, so that bench/run.ts regenerates stale files. */
export const AUDIENCE_GENERATOR_VERSION = 1;
export const AUDIENCE_DIR = path.join(GENERATED_DIR, 'audience');
/** `MERGEWISE_BENCH_AUDIENCE_ROWS=1000000` for trying changes; targets are judged at 10 million only. */
export const AUDIENCE_ROWS = Number(process.env.MERGEWISE_BENCH_AUDIENCE_ROWS ?? 10_000_000);
const TEMPLATES = 20;
const ROOT = path.dirname(BENCH_DIR);

export interface AudienceManifest {
  version: number;
  seed: string;
  rows: number;
  columns: number;
  fields: number;
  templates: string[];
  parquet: { file: string; bytes: number };
  csv: { file: string; bytes: number };
  generationSeconds: number;
}

// ---- The columns ----------------------------------------------------------------------------------

interface ColumnDef {
  /** The column's name, which is also the field's last segment. */
  name: string;
  /** The field's path in mergewise.json; undefined for updated_at. */
  path?: string;
  type: 'string' | 'number' | 'boolean' | 'date';
  /** Share of rows with a value, in percent. */
  fill: number;
  /** DuckDB expression of a value, given `h` (a hash of the row for this column) and `i` (the row number). */
  value: string;
  fallback?: string | number;
  maxAgeDays?: number;
  description: string;
  /** Percent of rows holding an empty string '' rather than a null (text columns). */
  emptyStrings?: number;
}

const list = (items: string[]) => `[${items.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ')}]`;
const pickFrom = (items: string[]) => `${list(items)}[1 + (h // 101 % ${items.length})::INTEGER]`;
/** Days before 2026-11-30, skewed to recent ones (a square of a uniform draw). */
const daysAgo = (max: number) => `(power((h // 101 % 10000) / 10000.0, 2) * ${max})::INTEGER`;

const FIRST_NAMES = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Emma', 'Farah', 'Giulia', 'Hiro', 'Ines', 'Jürgen', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Oscar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoe'];
const LAST_NAMES = ['Silva', 'Okafor', 'Müller', 'Nguyen', 'García', 'Smith', 'Kowalski', 'Haddad', 'Rossi', 'Tanaka', 'Johansson', 'Dubois', 'Patel', 'Kim', 'Murphy'];
const CITIES = ['Lisbon', 'Berlin', 'Austin', 'Lyon', 'Osaka', 'Toronto', 'Melbourne', 'Dublin', 'São Paulo', 'Nairobi', 'Kraków', 'Seattle', 'Utrecht', 'Porto', 'Denver'];

export const COLUMNS: ColumnDef[] = [
  { name: 'email', path: 'customer.email', type: 'string', fill: 100, value: `'user' || i || '@' || ${pickFrom(['gmail.com', 'outlook.com', 'example.com', 'yahoo.com', 'icloud.com'])}`, description: 'Sending address.' },
  { name: 'first_name', path: 'customer.first_name', type: 'string', fill: 84, emptyStrings: 3, value: pickFrom(FIRST_NAMES), fallback: 'there', description: 'First name as typed at sign-up.' },
  { name: 'last_name', path: 'customer.last_name', type: 'string', fill: 78, emptyStrings: 2, value: pickFrom(LAST_NAMES), description: 'Last name as typed at sign-up.' },
  { name: 'city', path: 'customer.city', type: 'string', fill: 66, value: pickFrom(CITIES), fallback: 'your city', description: 'City from the billing address.' },
  { name: 'country', path: 'customer.country', type: 'string', fill: 96, value: pickFrom(['US', 'DE', 'PT', 'FR', 'JP', 'CA', 'AU', 'IE', 'BR', 'KE', 'PL', 'NL']), description: 'ISO country code.' },
  { name: 'language', path: 'customer.language', type: 'string', fill: 88, value: pickFrom(['en', 'en', 'en', 'de', 'fr', 'pt', 'ja', 'es']), fallback: 'en', description: 'Preferred language.' },
  { name: 'timezone', path: 'customer.timezone', type: 'string', fill: 74, value: pickFrom(['America/New_York', 'Europe/Berlin', 'Europe/Lisbon', 'Asia/Tokyo', 'America/Chicago', 'Australia/Sydney']), description: 'IANA time zone.' },
  { name: 'industry', path: 'customer.industry', type: 'string', fill: 91, value: pickFrom(['hair', 'barber', 'nails', 'spa']), description: 'Business type.' },
  { name: 'job_title', path: 'customer.job_title', type: 'string', fill: 72, value: pickFrom(['Salon owner', 'Senior stylist', 'Barber', 'Nail technician', 'Manager', 'Receptionist']), fallback: 'stylist', maxAgeDays: 365, description: 'Role picked at sign-up; goes out of date.' },
  { name: 'company', path: 'customer.company', type: 'string', fill: 55, value: `${pickFrom(['Shear', 'Fade', 'Gloss', 'Velvet', 'Crown', 'Mane'])} || ' ' || ${pickFrom(['Studio', 'House', 'Lounge', 'Bar', 'Co.'])}`, description: 'Salon name.' },
  { name: 'referral_code', path: 'customer.referral_code', type: 'string', fill: 48, value: `'R' || (h // 7 % 1000000)::VARCHAR`, description: 'Code to share with friends.' },
  { name: 'plan', path: 'subscription.plan', type: 'string', fill: 98, value: pickFrom(['trial', 'trial', 'basic', 'basic', 'basic', 'pro', 'pro', 'enterprise']), description: 'Current plan.' },
  { name: 'tier', path: 'loyalty.tier', type: 'string', fill: 61, value: pickFrom(['bronze', 'bronze', 'bronze', 'silver', 'silver', 'gold', 'platinum']), description: 'Loyalty tier.' },
  { name: 'signup_date', path: 'customer.signup_date', type: 'date', fill: 100, value: `DATE '2026-11-30' - ${daysAgo(2400)}`, description: 'Day the account was created.' },
  { name: 'last_login_at', path: 'activity.last_login_at', type: 'date', fill: 81, value: `TIMESTAMP '2026-11-30 00:00:00' - INTERVAL (${daysAgo(400)}) DAY`, maxAgeDays: 30, description: 'Last sign-in to the app.' },
  { name: 'last_order_at', path: 'activity.last_order_at', type: 'date', fill: 52, value: `TIMESTAMP '2026-11-30 00:00:00' - INTERVAL (${daysAgo(700)}) DAY`, maxAgeDays: 90, description: 'Last order in the shop.' },
  { name: 'renews_at', path: 'subscription.renews_at', type: 'date', fill: 64, value: `DATE '2026-11-30' + (h // 101 % 365)::INTEGER`, description: 'Next renewal.' },
  { name: 'birthday', path: 'customer.birthday', type: 'date', fill: 41, value: `DATE '1960-01-01' + (h // 101 % 15000)::INTEGER`, description: 'Birthday, when given.' },
  { name: 'order_count', path: 'activity.order_count', type: 'number', fill: 90, value: `(h // 101 % 60)::INTEGER`, description: 'Orders so far.' },
  { name: 'lifetime_value', path: 'activity.lifetime_value', type: 'number', fill: 86, value: `round((h // 101 % 500000) / 100.0, 2)`, description: 'Spend so far, in dollars.' },
  { name: 'points', path: 'loyalty.points', type: 'number', fill: 60, value: `(h // 101 % 5000)::INTEGER`, fallback: 0, description: 'Loyalty points.' },
  { name: 'cart_total', path: 'cart.total', type: 'number', fill: 44, value: `round((h // 101 % 40000) / 100.0, 2)`, description: 'Value of the saved cart.' },
  { name: 'item_count', path: 'cart.item_count', type: 'number', fill: 46, value: `(h // 101 % 9)::INTEGER`, description: 'Items in the saved cart.' },
  { name: 'discount_percent', path: 'offer.discount_percent', type: 'number', fill: 40, value: `(5 * (1 + h // 101 % 6))::INTEGER`, fallback: 10, description: 'Personal discount.' },
  { name: 'nps_score', path: 'activity.nps_score', type: 'number', fill: 42, value: `(h // 101 % 11)::INTEGER`, description: 'Last NPS answer, 0 to 10.' },
  { name: 'marketing_opt_in', path: 'consent.marketing_opt_in', type: 'boolean', fill: 100, value: `h // 101 % 100 < 70`, description: 'Consent to marketing email.' },
  { name: 'sms_opt_in', path: 'consent.sms_opt_in', type: 'boolean', fill: 68, value: `h // 101 % 100 < 30`, description: 'Consent to SMS.' },
  { name: 'is_vip', path: 'customer.is_vip', type: 'boolean', fill: 95, value: `h // 101 % 100 < 8`, description: 'Flagged VIP by the account team.' },
  { name: 'has_app', path: 'customer.has_app', type: 'boolean', fill: 80, value: `h // 101 % 100 < 55`, description: 'Has installed the mobile app.' },
  { name: 'updated_at', type: 'date', fill: 100, value: `TIMESTAMP '2026-11-30 00:00:00' - INTERVAL (${daysAgo(900)}) DAY - INTERVAL (h // 7 % 86400) SECOND`, description: 'When the row was last synced.' },
];

/** The SELECT that DuckDB writes out: one row per `i` in range(rows). */
function selectSql(rows: number): string {
  const expressions = COLUMNS.map((column, k) => {
    // A different hash per column: h for the value, h % 100 for whether the row has one.
    const h = `hash(i * 64 + ${k + 1})`;
    const value = column.value.replace(/\bh\b/g, h);
    const filled = column.fill >= 100 ? value : `CASE WHEN ${h} % 100 < ${column.fill} THEN ${value}${column.emptyStrings ? ` WHEN ${h} % 100 < ${column.fill + column.emptyStrings} THEN ''` : ''} END`;
    return `${filled} AS ${column.name}`;
  });
  return `SELECT\n  ${expressions.join(',\n  ')}\nFROM range(${rows}) AS t(i)`;
}

function schemaJson(): string {
  const fields: Record<string, unknown> = {};
  for (const column of COLUMNS) {
    if (!column.path) continue;
    fields[column.path] = {
      type: column.type,
      description: column.description,
      ...(column.fallback !== undefined ? { fallback: column.fallback } : {}),
      ...(column.maxAgeDays !== undefined ? { maxAgeDays: column.maxAgeDays } : {}),
    };
  }
  // Columns not named as their field's last segment are mapped explicitly, as a team would.
  const columns = Object.fromEntries(COLUMNS.filter((c) => c.path && c.path.split('.').pop() !== c.name).map((c) => [c.path, c.name]));
  return `${JSON.stringify({ dialect: 'liquid', audience: { updatedAt: 'updated_at', columns }, fields }, null, 2)}\n`;
}

// ---- The templates --------------------------------------------------------------------------------

/** Blocks a template is built from; each uses fields as lifecycle emails do (see examples/emails/). */
const BLOCKS: ((r: Random) => string)[] = [
  // A plan-specific paragraph: case with several whens and an else.
  () => `{% case subscription.plan %}
  {% when 'trial' %}<p>Your trial ends on {{ subscription.renews_at | date: "%B %-d" | default: 'soon' }}. Pick a plan to keep your bookings.</p>
  {% when 'pro', 'enterprise' %}<p>As a {{ subscription.plan | capitalize }} customer you get priority support, {{ customer.first_name | default: 'there' }}.</p>
  {% when 'basic' %}<p>Upgrade to Pro for online payments and reminders.</p>
  {% else %}<p>Choose the plan that fits {{ customer.company | default: 'your salon' }}.</p>
{% endcase %}`,
  // Loyalty tier: if / elsif / else, with a number comparison.
  () => `{% if loyalty.tier == 'platinum' %}
  <p>Platinum perk: free express shipping on every order.</p>
{% elsif loyalty.tier == 'gold' %}
  <p>You are {{ 5000 | minus: loyalty.points }} points away from Platinum.</p>
{% elsif loyalty.points > 1000 %}
  <p>{{ loyalty.points }} points: enough for a free treatment.</p>
{% else %}
  <p>You have {{ loyalty.points | default: 0 }} points.</p>
{% endif %}`,
  // Guarded city.
  () => `{% if customer.city %}<p>New this month in {{ customer.city }}: three salons joined Shearly.</p>{% endif %}`,
  // City with a fallback.
  () => `<p>Clients near {{ customer.city | default: 'your city' }} booked 20% more colour appointments this autumn.</p>`,
  // Saved cart, number comparison, shown numbers without fallbacks.
  () => `{% if cart.item_count > 0 %}
  <p>You left {{ cart.item_count }} items in your cart ({{ cart.total }} dollars).</p>
{% elsif cart.total != blank %}
  <p>Your cart is saved.</p>
{% else %}
  <p>Browse the shop for new arrivals.</p>
{% endif %}`,
  // A date shown with a guard and an else.
  () => `{%- if subscription.renews_at != blank %}<p>Renews {{ subscription.renews_at | date: "%B %-d, %Y" }}.</p>{% else %}<p>Renews in the next 7 days.</p>{% endif -%}`,
  // Booleans combined.
  () => `{% if customer.is_vip and consent.marketing_opt_in %}<p>Your account manager saved you a seat at our VIP night.</p>{% endif %}`,
  () => `{% unless customer.has_app %}<p>Get the Shearly app to take bookings on the go.</p>{% endunless %}`,
  // NPS branches.
  (r) => `{% if activity.nps_score >= ${r.int(8, 9)} %}
  <p>Thanks for recommending us! Share your code {{ customer.referral_code }} with a friend.</p>
{% elsif activity.nps_score <= 6 %}
  <p>We read every answer. Reply to this email and tell us what to fix.</p>
{% endif %}`,
  // Stale-sensitive fields shown.
  () => `<p>Last seen in the app on {{ activity.last_login_at | date: "%b %-d" }}, as {{ customer.job_title | default: 'stylist' }}.</p>`,
  () => `{% if activity.last_order_at %}<p>Your last order shipped {{ activity.last_order_at | date: "%B %-d" }}.</p>{% endif %}`,
  // Language case for the sign-off.
  () => `{% case customer.language %}{% when 'de' %}<p>Viele Grüße</p>{% when 'fr' %}<p>À bientôt</p>{% when 'pt' %}<p>Até breve</p>{% else %}<p>See you soon</p>{% endcase %}`,
  // A blank risk: last name with no fallback and no guard.
  () => `<p>Invoice to: {{ customer.first_name | default: 'Customer' }} {{ customer.last_name }}, {{ customer.company | default: '' }}</p>`,
  // Contains and or.
  () => `{% if customer.email contains '@gmail.com' or customer.country == 'US' %}<p>Add us to your contacts so we never land in Promotions.</p>{% endif %}`,
  // Discount with fallback inside a condition on lifetime value.
  (r) => `{% if activity.lifetime_value > ${r.int(500, 2000)} %}
  <p>Here is {{ offer.discount_percent | default: 10 }}% off your next order, {{ customer.first_name | default: 'there' }}.</p>
{% elsif activity.order_count == 0 %}
  <p>Your first order ships free.</p>
{% else %}
  <p>Stock up on your best sellers.</p>
{% endif %}`,
  // Industry case.
  () => `{% case customer.industry %}{% when 'barber' %}<p>New: fade-timer reminders for barbershops.</p>{% when 'nails' %}<p>New: gel cure timers.</p>{% when 'hair', 'spa' %}<p>New: colour formulas on the client card.</p>{% endcase %}`,
  // Birthday and SMS.
  () => `{% if customer.birthday != blank and consent.sms_opt_in %}<p>We will text you a birthday treat.</p>{% endif %}`,
];

function templateText(index: number): string {
  const random = new Random(`${SEED}-audience-${index}`);
  const chosen = new Set<number>();
  const count = random.int(6, 10);
  while (chosen.size < count) chosen.add(random.int(0, BLOCKS.length - 1));
  const body = [...chosen].sort((a, b) => a - b).map((b) => BLOCKS[b](random)).join('\n');
  return `{% comment %}
  Bench email ${index + 1} of ${TEMPLATES} (bench/audience.ts).
{% endcomment %}
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Shearly update</title></head>
<body style="margin:0;padding:0;background:#f6f1ec;">
  <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;font-family:Helvetica,Arial,sans-serif;">
    <tr><td style="padding:32px;">
<p style="font-size:16px;">Hi {{ customer.first_name | default: 'there' }},</p>
${body}
    </td></tr>
    <tr><td style="padding:0 32px 32px;font-size:12px;color:#8a8a8a;">Sent to {{ customer.email }}. Shearly Inc., 500 Market St, San Francisco, CA 94105</td></tr>
  </table>
</body>
</html>
`;
}

// ---- Generation -----------------------------------------------------------------------------------

export function audienceManifestPath(): string {
  return path.join(AUDIENCE_DIR, 'manifest.json');
}

export function currentAudienceManifest(): AudienceManifest | undefined {
  if (!existsSync(audienceManifestPath())) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(audienceManifestPath(), 'utf8')) as AudienceManifest;
    const ok = manifest.version === AUDIENCE_GENERATOR_VERSION && manifest.seed === SEED && manifest.rows === AUDIENCE_ROWS &&
      existsSync(path.join(AUDIENCE_DIR, manifest.parquet.file)) && existsSync(path.join(AUDIENCE_DIR, manifest.csv.file));
    return ok ? manifest : undefined;
  } catch {
    return undefined;
  }
}

export async function generateAudienceWorkspace(log: (line: string) => void = () => {}): Promise<AudienceManifest> {
  const started = performance.now();
  rmSync(AUDIENCE_DIR, { recursive: true, force: true });
  mkdirSync(path.join(AUDIENCE_DIR, 'emails'), { recursive: true });
  writeFileSync(path.join(AUDIENCE_DIR, 'mergewise.json'), schemaJson());
  const templates: string[] = [];
  for (let i = 0; i < TEMPLATES; i++) {
    const file = `emails/email-${String(i + 1).padStart(2, '0')}.liquid`;
    writeFileSync(path.join(AUDIENCE_DIR, file), templateText(i));
    templates.push(file);
  }
  log(`bench: writing ${AUDIENCE_ROWS.toLocaleString('en')} rows x ${COLUMNS.length} columns to ${path.relative(ROOT, AUDIENCE_DIR)}/audience.parquet and audience.csv with DuckDB…`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const select = selectSql(AUDIENCE_ROWS);
    const parquet = path.join(AUDIENCE_DIR, 'audience.parquet');
    const csv = path.join(AUDIENCE_DIR, 'audience.csv');
    await connection.run(`COPY (${select}) TO '${parquet}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`);
    // The CSV from the Parquet file: the same rows, in the same order.
    await connection.run(`COPY (SELECT * FROM read_parquet('${parquet}')) TO '${csv}' (FORMAT csv, HEADER true)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const manifest: AudienceManifest = {
    version: AUDIENCE_GENERATOR_VERSION, seed: SEED, rows: AUDIENCE_ROWS, columns: COLUMNS.length,
    fields: COLUMNS.filter((c) => c.path).length, templates,
    parquet: { file: 'audience.parquet', bytes: statSync(path.join(AUDIENCE_DIR, 'audience.parquet')).size },
    csv: { file: 'audience.csv', bytes: statSync(path.join(AUDIENCE_DIR, 'audience.csv')).size },
    generationSeconds: +((performance.now() - started) / 1000).toFixed(1),
  };
  writeFileSync(audienceManifestPath(), `${JSON.stringify(manifest, null, 2)}\n`);
  log(`bench: wrote the audience in ${manifest.generationSeconds} s: Parquet ${mb(manifest.parquet.bytes)}, CSV ${mb(manifest.csv.bytes)}`);
  return manifest;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

// ---- Measurement ----------------------------------------------------------------------------------

export interface AudienceRun {
  wallMs: number;
  peakRssMB: number;
  cpuMs: number;
  exitCode: number | null;
}

type Side = 'parquet' | 'csv' | 'baseline';

export interface AudienceResult {
  inputs: AudienceManifest;
  commands: Record<Side, string>;
  /** One round per turn: Mergewise on Parquet, on CSV, then the baseline on the CSV. The first is a warm-up, not counted. */
  rounds: Record<Side, AudienceRun>[];
  medians: Record<Side, { wallMs: number; cpuMs: number; peakRssMBMax: number }>;
  /** Median over the rounds of (baseline time / Mergewise time), on the same CSV file and on the Parquet file of the same rows. */
  speedup: { csv: number; parquet: number };
  /** Mergewise's counts on Parquet and CSV agree, and each field's filled count equals the baseline's non-empty count. */
  checks: string[];
  loadAverage: { before: number; after: number };
}

/** What bench/run.ts prints and records as a target. */
export interface AudienceTarget {
  what: string;
  target: string;
  measured: string;
  status: 'pass' | 'fail' | 'n/a';
}

export async function measureAudience(options: { quick?: boolean; log?: (line: string) => void } = {}): Promise<AudienceResult> {
  const log = options.log ?? (() => {});
  const manifest = currentAudienceManifest() ?? await generateAudienceWorkspace(log);
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (npm run bench does).');
  const peakRss = path.join(BENCH_DIR, 'peak-rss.cjs');
  const baseline = path.join(BENCH_DIR, 'baseline-fill-rates.mjs');
  const usageFile = path.join(GENERATED_DIR, 'audience-usage.json');
  const argsFor: Record<Side, string[]> = {
    parquet: [cli, 'audience', ...manifest.templates, '--data', manifest.parquet.file, '--format', 'json'],
    csv: [cli, 'audience', ...manifest.templates, '--data', manifest.csv.file, '--format', 'json'],
    baseline: [baseline, manifest.csv.file],
  };
  const shown = (side: Side) => `node ${argsFor[side].map((a) => (a.startsWith(ROOT) ? path.relative(AUDIENCE_DIR, a) : a)).join(' ')
    .replace(manifest.templates.join(' '), `<${manifest.templates.length} templates>`)} > /dev/null`;
  const commands = { parquet: shown('parquet'), csv: shown('csv'), baseline: shown('baseline') };
  const outputs: Partial<Record<Side, string>> = {};
  const run = (side: Side, keep: boolean): AudienceRun => {
    rmSync(usageFile, { force: true });
    const outFile = path.join(GENERATED_DIR, `audience-${side}.out`);
    const out = openSync(keep ? outFile : '/dev/null', 'w');
    const start = performance.now();
    const child = spawnSync(process.execPath, ['--require', peakRss, ...argsFor[side]], {
      cwd: AUDIENCE_DIR, stdio: ['ignore', out, 'pipe'], env: { ...process.env, MERGEWISE_BENCH_USAGE_FILE: usageFile, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = performance.now() - start;
    closeSync(out);
    if (child.status !== 0) throw new Error(`${commands[side]} exited ${child.status}: ${child.stderr?.toString().slice(0, 500)}`);
    if (keep) {
      outputs[side] = readFileSync(outFile, 'utf8');
      rmSync(outFile);
    }
    const usage = existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKiB: number; userMs: number; systemMs: number } : undefined;
    return { wallMs, peakRssMB: usage ? usage.maxRssKiB / 1024 : NaN, cpuMs: usage ? usage.userMs + usage.systemMs : NaN, exitCode: child.status };
  };
  const loadBefore = loadAverage();
  const rounds: AudienceResult['rounds'] = [];
  const total = (options.quick ? 2 : 5) + 1;
  for (let i = 0; i < total; i++) {
    const warmUp = i === 0;
    // Alternating, so that drift (other load, the page cache) is shared by the three.
    const round = { parquet: run('parquet', warmUp), csv: run('csv', warmUp), baseline: run('baseline', warmUp) };
    log(`  round ${i + 1}/${total}${warmUp ? ' (warm-up)' : ''}: Parquet ${seconds(round.parquet.wallMs)} (${round.parquet.peakRssMB.toFixed(0)} MB), ` +
      `CSV ${seconds(round.csv.wallMs)} (${round.csv.peakRssMB.toFixed(0)} MB), baseline ${seconds(round.baseline.wallMs)} (${round.baseline.peakRssMB.toFixed(0)} MB)`);
    if (!warmUp) rounds.push(round);
  }
  /** The middle value; with an even count, the mean of the two middle ones. */
  const side = (s: Side) => ({
    wallMs: median(rounds.map((r) => r[s].wallMs)),
    cpuMs: median(rounds.map((r) => r[s].cpuMs)),
    peakRssMBMax: Math.max(...rounds.map((r) => r[s].peakRssMB)),
  });
  return {
    inputs: manifest,
    commands,
    rounds,
    medians: { parquet: side('parquet'), csv: side('csv'), baseline: side('baseline') },
    speedup: {
      csv: median(rounds.map((r) => r.baseline.wallMs / r.csv.wallMs)),
      parquet: median(rounds.map((r) => r.baseline.wallMs / r.parquet.wallMs)),
    },
    checks: crossCheck(outputs),
    loadAverage: { before: loadBefore, after: loadAverage() },
  };
}

function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The Parquet and CSV reports agree, and each field's filled count is the baseline's non-empty count for its column. */
function crossCheck(outputs: Partial<Record<Side, string>>): string[] {
  const problems: string[] = [];
  if (!outputs.parquet || !outputs.csv || !outputs.baseline) return ['no output to check'];
  type Report = { source: { rows: number }; fields: Record<string, { column: string; filled: number }>; templates: unknown[] };
  const parquet = JSON.parse(outputs.parquet) as Report;
  const csv = JSON.parse(outputs.csv) as Report;
  const base = JSON.parse(outputs.baseline) as { rows: number; filled: Record<string, number> };
  // Stale counts are left out: each run measures against its own "now", and updated_at has seconds.
  const strip = (r: Report) => JSON.stringify({ ...r, source: { rows: r.source.rows } }, (key, value: unknown) => (/^(stale|staleShare|seeStale)$/.test(key) ? undefined : value));
  if (strip(parquet) !== strip(csv)) problems.push('the Parquet and CSV reports differ (stale counts left out)');
  if (parquet.source.rows !== base.rows) problems.push(`rows: Mergewise ${parquet.source.rows}, baseline ${base.rows}`);
  for (const [field, coverage] of Object.entries(csv.fields)) {
    if (base.filled[coverage.column] !== coverage.filled) problems.push(`${field}: Mergewise ${coverage.filled} filled, baseline ${base.filled[coverage.column]}`);
  }
  return problems;
}

const TARGETS = { parquetMs: 3000, csvMs: 20_000, peakMB: 1024, speedup: 5 };

export function audienceTargets(result: AudienceResult | { skipped: string }): AudienceTarget[] {
  const what = {
    parquet: '10M rows x 30 columns, Parquet, 20 templates: mergewise audience, whole process',
    csv: 'the same rows in CSV: mergewise audience, whole process',
    memory: 'mergewise audience, peak RSS (Parquet and CSV runs; the CSV streams)',
    ratio: 'mergewise audience (full coverage) vs a plain Node streaming pass over the same CSV (fill rates only)',
  };
  if ('skipped' in result) {
    return [
      { what: what.parquet, target: 'under 3 s on 2 cores', measured: `not measured: ${result.skipped}`, status: 'n/a' },
      { what: what.csv, target: 'under 20 s', measured: `not measured: ${result.skipped}`, status: 'n/a' },
      { what: what.memory, target: 'under 1 GB', measured: `not measured: ${result.skipped}`, status: 'n/a' },
      { what: what.ratio, target: 'at least 5x faster', measured: `not measured: ${result.skipped}`, status: 'n/a' },
    ];
  }
  const { medians, speedup, rounds, inputs } = result;
  const full = inputs.rows === 10_000_000;
  const judged = (ok: boolean) => (full ? (ok ? 'pass' : 'fail') : 'n/a') as AudienceTarget['status'];
  const note = full ? '' : ` (at ${inputs.rows.toLocaleString('en')} rows: not judged)`;
  const n = rounds.length;
  const peak = Math.max(medians.parquet.peakRssMBMax, medians.csv.peakRssMBMax);
  return [
    { what: what.parquet, target: 'under 3 s on 2 cores', measured: `median ${seconds(medians.parquet.wallMs)} of ${n} (${mb(inputs.parquet.bytes)} file)${note}`, status: judged(medians.parquet.wallMs < TARGETS.parquetMs) },
    { what: what.csv, target: 'under 20 s', measured: `median ${seconds(medians.csv.wallMs)} of ${n} (${mb(inputs.csv.bytes)} file)${note}`, status: judged(medians.csv.wallMs < TARGETS.csvMs) },
    { what: what.memory, target: 'under 1 GB', measured: `peak RSS ${medians.parquet.peakRssMBMax.toFixed(0)} MB on Parquet, ${medians.csv.peakRssMBMax.toFixed(0)} MB on the ${mb(inputs.csv.bytes)} CSV${note}`, status: judged(peak < TARGETS.peakMB) },
    {
      what: what.ratio, target: 'at least 5x faster',
      measured: `${speedup.csv.toFixed(2)}x on the same CSV (${seconds(medians.csv.wallMs)} vs ${seconds(medians.baseline.wallMs)}); ` +
        `${speedup.parquet.toFixed(2)}x reading the same rows from Parquet; medians of ${n} alternating rounds${note}`,
      status: judged(speedup.csv >= TARGETS.speedup),
    },
  ];
}

export function audienceLines(result: AudienceResult | { skipped: string }): string[] {
  if ('skipped' in result) return [`Audience coverage: skipped (${result.skipped})`];
  const { inputs, medians, speedup, commands, checks } = result;
  const out = [`Audience coverage: ${inputs.rows.toLocaleString('en')} rows x ${inputs.columns} columns, ${inputs.fields} fields, ${inputs.templates.length} templates (${path.relative(ROOT, AUDIENCE_DIR)}), in turns, not pinned:`];
  for (const [label, s, bytes] of [['Parquet', 'parquet', inputs.parquet.bytes], ['CSV', 'csv', inputs.csv.bytes], ['baseline', 'baseline', inputs.csv.bytes]] as const) {
    out.push(`  ${label.padEnd(9)} ${mb(bytes).padStart(7)}: ${seconds(medians[s].wallMs)} wall, ${seconds(medians[s].cpuMs)} CPU (medians of ${result.rounds.length}), peak RSS ${medians[s].peakRssMBMax.toFixed(0)} MB  ${commands[s]}`);
  }
  out.push(`  baseline / Mergewise: ${speedup.csv.toFixed(2)}x on the same CSV, ${speedup.parquet.toFixed(2)}x against Mergewise on Parquet (medians of the rounds' ratios); load average ${result.loadAverage.before.toFixed(1)} before, ${result.loadAverage.after.toFixed(1)} after`);
  out.push(checks.length ? `  WARNING: cross-check: ${checks.join('; ')}` : '  cross-check: Parquet and CSV reports identical; every field\'s filled count equals the baseline\'s');
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generateAudienceWorkspace((line) => console.log(line)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
