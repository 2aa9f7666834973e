/**
 * Two workspaces for timing checks across files (`npm run bench`, see bench/README.md):
 * - with-partials/: 2,000 Liquid email templates sharing 50 partials in `snippets/`. Each template
 *   renders several: `greeting` with a parameter, `product-card` in a loop (`for cart.items as item`),
 *   `city-note` inside `{% if customer.city %}`, a footer pulled in with `{% include %}` (which itself
 *   renders `social-links`), and a few of 44 generated blocks, popular ones more often. Callers pass
 *   fields with and without fallbacks (a local assigned with `default`), literals, now and then a typo.
 * - inline/: the same templates with every include replaced by the partial's body pasted in, its
 *   parameters replaced by the caller's expressions, and `render … for list as item` written as
 *   `{% for item in list %}…{% endfor %}`. No snippets/ folder: nothing includes one.
 * Both have the same mergewise.json (bench/generate.ts's schema). Same seed, same bytes.
 *
 * The template bodies are bench/generate.ts's Liquid templates, with the include tags put between
 * their rows; sizes are drawn as the main workspace's (log-normal, 3 KB to 400 KB), scaled to 40 MB.
 *
 * Run alone: `node --import tsx bench/partials.ts` (bench/run.ts calls it when files are missing).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  COLORS, FOLDERS, FONTS, GENERATED_DIR, Random, SEED, TEXT_FIELDS, WORDS, generateTemplate, schemaText, typo, workspaceSizes,
} from './generate';

/** Bump when the output changes, so that bench/run.ts regenerates stale files. */
export const PARTIALS_GENERATOR_VERSION = 1;
export const PARTIALS_DIR = path.join(GENERATED_DIR, 'partials');
export const WITH_PARTIALS_DIR = path.join(PARTIALS_DIR, 'with-partials');
export const INLINE_DIR = path.join(PARTIALS_DIR, 'inline');
/** The partial every template renders, which the language-server measurement edits. */
export const GREETING_PARTIAL = 'snippets/greeting.liquid';

const TEMPLATES = 2000;
const TEMPLATE_BYTES = 40 * 1024 * 1024;
const GENERATED_BLOCKS = 44;

interface Parameter {
  name: string;
  /** What callers pass: a field, a local assigned with a fallback, or a literal. */
  choices: string[];
}

interface PartialDef {
  name: string;
  tag: 'render' | 'include';
  parameters: Parameter[];
  /** `{% render 'name' for list as alias %}`: the name the body gives the item, and the lists callers pass. */
  loop?: { alias: string; sources: string[] };
  /** The body, each parameter written ⟦name⟧. */
  body: string;
  /** One line for its `{% doc %}`. */
  summary: string;
}

export interface PartialsManifest {
  version: number;
  seed: string;
  templates: number;
  partials: number;
  withPartials: { bytes: number; includeTags: number };
  inline: { bytes: number };
  /** Templates (relative to the workspace) that render the greeting partial, in file order. */
  greetingIncluders: string[];
}

// ---- Text helpers ---------------------------------------------------------------------------------

class Writer {
  constructor(readonly random: Random) {}

  words(min: number, max: number): string {
    const count = this.random.int(min, max);
    const words: string[] = [];
    for (let i = 0; i < count; i++) words.push(this.random.pick(WORDS));
    return words.join(' ');
  }

  sentence(): string {
    const text = this.words(6, 16);
    return `${text[0].toUpperCase()}${text.slice(1)}.`;
  }

  style(extra = ''): string {
    const r = this.random;
    return `font-family:${r.pick(FONTS)};font-size:${r.int(12, 18)}px;line-height:${r.pick(['1.4', '1.5', '1.6'])};color:${r.pick(COLORS)};${extra}`;
  }

  row(inner: string): string {
    return `<tr>\n<td class="stack" style="padding:${this.random.int(8, 32)}px ${this.random.int(16, 40)}px;">\n${inner}</td>\n</tr>\n`;
  }

  /** A global field's output, with a fallback about half the time, as in the templates. */
  global(): string {
    const field = this.random.pick(TEXT_FIELDS);
    return this.random.chance(0.5) ? `{{ ${field.path} | default: '${this.words(1, 2)}' }}` : `{{ ${field.path} }}`;
  }
}

// ---- The partials ----------------------------------------------------------------------------------

/** Text fields callers pass to the generated blocks, and literals. */
const PASSED_FIELDS = TEXT_FIELDS.map((field) => field.path);

function fixedPartials(w: Writer): PartialDef[] {
  const greeting: PartialDef = {
    name: 'greeting', tag: 'render', summary: 'The first line of every email: "Hi Ana,".',
    // `greeting_name` is the local each template assigns with `| default: 'there'`: the fallback travels with it.
    parameters: [{ name: 'name', choices: ['customer.first_name', 'greeting_name', 'greeting_name'] }],
    body: w.row(`<h1 style="${w.style('margin:0 0 12px;font-size:24px;')}">Hi {{ ⟦name⟧ }},</h1>\n` +
      `<p style="${w.style()}">${w.sentence()} {{ customer.company | default: 'your business' }} ${w.words(3, 8)}.</p>\n`),
  };
  const productCard: PartialDef = {
    name: 'product-card', tag: 'render', summary: 'One row of an items table.', parameters: [],
    loop: { alias: 'item', sources: ['cart.items', 'cart.items', 'order.items'] },
    body: '<tr>\n<td width="88" style="padding:12px 0;border-bottom:1px solid #eeeeee;">\n' +
      '{%- if item.image_url != blank -%}<img src="{{ item.image_url }}" width="72" height="72" alt="{{ item.title | escape }}" style="display:block;border-radius:6px;">{%- endif -%}\n</td>\n' +
      `<td style="padding:12px;border-bottom:1px solid #eeeeee;${w.style()}">\n<a href="{{ item.url }}" style="color:${w.random.pick(COLORS)};">{{ item.title }}</a>` +
      '{% if item.variant %} &middot; {{ item.variant }}{% endif %} &times; {{ item.quantity }}\n</td>\n' +
      '<td align="right" style="padding:12px 0;border-bottom:1px solid #eeeeee;">{{ item.price | money }}</td>\n</tr>\n',
  };
  const recommendationCard: PartialDef = {
    name: 'recommendation-card', tag: 'render', summary: 'One recommended product, with the reason it was picked.', parameters: [],
    loop: { alias: 'product', sources: ['recommendations'] },
    body: `<tr>\n<td style="padding:12px;${w.style()}">\n<a href="{{ product.url }}" style="color:${w.random.pick(COLORS)};">{{ product.title }}</a> {{ product.price | money }}\n` +
      '{% if product.reason != blank %}<br><span style="font-size:13px;">{{ product.reason }}</span>{% endif %}\n</td>\n</tr>\n',
  };
  const cityNote: PartialDef = {
    name: 'city-note', tag: 'render', summary: 'A line about the recipient\'s city; callers guard it.',
    parameters: [{ name: 'city', choices: ['customer.city'] }],
    body: w.row(`<p style="${w.style()}">${w.sentence()} Busy week in {{ ⟦city⟧ }}? ${w.sentence()}</p>\n`),
  };
  const socialLinks: PartialDef = {
    name: 'social-links', tag: 'render', summary: 'Links to the brand\'s pages.', parameters: [],
    body: `<p style="${w.style('font-size:12px;')}"><a href="{{ store.url }}/instagram">Instagram</a> &middot; <a href="{{ store.url }}/tiktok">TikTok</a> &middot; {{ store.name }}</p>\n`,
  };
  const footerNote: PartialDef = {
    name: 'footer-note', tag: 'include', summary: 'Why the recipient gets this email, and the postal address; renders social-links.', parameters: [],
    body: w.row(`<p style="${w.style('font-size:12px;')}">${w.sentence()} You get this at {{ customer.email }} from {{ store.name }}, {{ store.address }}.</p>\n` +
      `{% render 'social-links' %}\n{% if customer.accepts_sms %}<p style="${w.style('font-size:12px;')}">SMS reminders go to {{ customer.phone | default: 'your phone' }}.</p>{% endif %}\n`),
  };
  return [greeting, productCard, recommendationCard, cityNote, socialLinks, footerNote];
}

/** A generated block: a rendered partial with one to three parameters, or an included one reading the recipient's data directly. */
function generatedBlock(w: Writer, n: number): PartialDef {
  const r = w.random;
  const name = `block-${String(n).padStart(2, '0')}`;
  if (r.chance(0.3)) {
    let inner = `<p style="${w.style()}">${w.sentence()} ${w.global()} ${w.words(4, 10)}. ${w.sentence()}</p>\n`;
    if (r.chance(0.5)) inner += `{% if loyalty.points > ${r.int(100, 2000)} %}<p style="${w.style()}">${w.sentence()} {{ loyalty.tier | default: 'member' }}</p>{% endif %}\n`;
    inner += `<p style="${w.style()}">${w.sentence()} ${w.global()} ${w.sentence()}</p>\n`;
    return { name, tag: 'include', parameters: [], body: w.row(inner), summary: `${w.sentence()}` };
  }
  const parameters: Parameter[] = [];
  const names = ['headline', 'detail', 'label', 'note', 'owner', 'topic'];
  for (let i = r.int(1, 3); i > 0; i--) {
    const parameter = names.splice(r.int(0, names.length - 1), 1)[0];
    const fields = [r.pick(PASSED_FIELDS), r.pick(PASSED_FIELDS)];
    // Some parameters are mostly literals: a headline, a button label.
    const choices = r.chance(0.3) ? [`'${w.words(2, 4)}'`, `'${w.words(2, 4)}'`, fields[0]] : fields;
    parameters.push({ name: parameter, choices });
  }
  let inner = '';
  for (const [i, parameter] of parameters.entries()) {
    const use = r.chance(0.5) ? `{{ ⟦${parameter.name}⟧ | default: '${w.words(1, 2)}' }}` : `{{ ⟦${parameter.name}⟧ }}`;
    if (i > 0 && r.chance(0.4)) inner += `{% if ⟦${parameter.name}⟧ != blank %}<p style="${w.style()}">${w.sentence()} ${use}.</p>{% endif %}\n`;
    else inner += `<p style="${w.style()}">${w.sentence()} ${use} ${w.words(3, 9)}. ${r.chance(0.4) ? `${w.global()} ` : ''}${w.sentence()}</p>\n`;
  }
  if (r.chance(0.4)) {
    inner += `<p style="text-align:center;margin:${r.int(16, 32)}px 0;"><a href="{{ store.url }}/${r.pick(['account', 'shop', 'book'])}?utm_source={{ campaign.utm_source }}" ` +
      `style="background:${r.pick(COLORS)};color:#ffffff;padding:14px 28px;border-radius:6px;display:inline-block;">${w.words(2, 4)}</a></p>\n`;
  }
  return { name, tag: 'render', parameters, body: w.row(inner), summary: w.sentence() };
}

function partialFile(partial: PartialDef): string {
  const params = partial.loop
    ? [`  @param {object} ${partial.loop.alias} - One of ${partial.loop.sources[0]}`]
    : partial.parameters.map((p) => `  @param {string} ${p.name} - ${p.choices[0].startsWith("'") ? 'Text to show' : `Usually ${p.choices[0]}`}`);
  return `{% doc %}\n  ${partial.summary}\n${params.length ? `\n${params.join('\n')}\n` : ''}{% enddoc %}\n${substitute(partial.body, (name) => name)}`;
}

function substitute(body: string, value: (parameter: string) => string): string {
  return body.replace(/⟦([a-z_]+)⟧/g, (_, name: string) => value(name));
}

// ---- Call sites and their inline expansion ---------------------------------------------------------

const INCLUDE_TAG = /\{%-? (render|include) '([a-z0-9-]+)'([^%]*?) -?%\}/g;

/** A template's text with every include replaced by the partial's body, recursively. */
function pasteInline(text: string, partials: Map<string, PartialDef>): string {
  return text.replace(INCLUDE_TAG, (_, _tag: string, name: string, rest: string) => {
    const partial = partials.get(name);
    if (!partial) throw new Error(`no partial ${name}`);
    const loop = /^ for ([a-z_.]+) as ([a-z_]+)$/.exec(rest);
    if (loop) return `{% for ${loop[2]} in ${loop[1]} %}\n${pasteInline(partial.body, partials)}{% endfor %}`;
    const args = new Map<string, string>();
    for (const [, key, value] of rest.matchAll(/, ([a-z_]+): ('[^']*'|[a-z_.]+)/g)) args.set(key, value);
    return pasteInline(substitute(partial.body, (parameter) => {
      const value = args.get(parameter);
      if (value === undefined) throw new Error(`${name} is missing ${parameter}`);
      return value;
    }), partials);
  });
}

function callSite(w: Writer, partial: PartialDef): string {
  const r = w.random;
  if (partial.loop) {
    const source = r.pick(partial.loop.sources);
    return w.row(`{% if ${source}.size > 0 %}\n<table role="presentation" width="100%" cellpadding="0" cellspacing="0">\n` +
      `{% render '${partial.name}' for ${source} as ${partial.loop.alias} %}\n</table>\n{% endif %}\n`);
  }
  let guard: string | undefined;
  const args = partial.parameters.map((parameter) => {
    let value = r.pick(parameter.choices);
    if (!value.startsWith("'") && value.includes('.')) {
      if (r.chance(1 / 70)) value = typo(r, value);
      else if (guard === undefined && r.chance(0.25)) guard = value;
    }
    return `, ${parameter.name}: ${value}`;
  }).join('');
  const tag = `{% ${partial.tag} '${partial.name}'${args} %}\n`;
  if (partial.name === 'city-note') return `{% if customer.city %}\n${tag}{% endif %}\n`;
  return guard ? `{% if ${guard} != blank %}\n${tag}{% endif %}\n` : tag;
}

/** Where rows start in a generated template: between its sections, after its greeting row. */
function rowStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = text.indexOf('<tr>\n<td class="stack"'); i !== -1; i = text.indexOf('<tr>\n<td class="stack"', i + 1)) starts.push(i);
  return starts;
}

// ---- Workspaces ------------------------------------------------------------------------------------

export function partialsManifestPath(): string {
  return path.join(PARTIALS_DIR, 'manifest.json');
}

export function currentPartialsManifest(): PartialsManifest | undefined {
  if (!existsSync(partialsManifestPath())) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(partialsManifestPath(), 'utf8')) as PartialsManifest;
    return manifest.version === PARTIALS_GENERATOR_VERSION && manifest.seed === SEED ? manifest : undefined;
  } catch {
    return undefined;
  }
}

export function generatePartialWorkspaces(log: (line: string) => void = () => {}): PartialsManifest {
  rmSync(PARTIALS_DIR, { recursive: true, force: true });
  const random = new Random(`${SEED}/partials`);
  const w = new Writer(random);
  const list = fixedPartials(w);
  for (let n = 1; list.length < 6 + GENERATED_BLOCKS; n++) list.push(generatedBlock(w, n));
  const partials = new Map(list.map((p) => [p.name, p]));
  const blocks = list.filter((p) => p.name.startsWith('block-'));

  const schema = schemaText();
  for (const dir of [WITH_PARTIALS_DIR, INLINE_DIR]) {
    for (const folder of FOLDERS) mkdirSync(path.join(dir, 'emails', folder), { recursive: true });
    writeFileSync(path.join(dir, 'mergewise.json'), schema);
  }
  mkdirSync(path.join(WITH_PARTIALS_DIR, 'snippets'));
  for (const partial of list) writeFileSync(path.join(WITH_PARTIALS_DIR, 'snippets', `${partial.name}.liquid`), partialFile(partial));

  const manifest: PartialsManifest = {
    version: PARTIALS_GENERATOR_VERSION, seed: SEED, templates: 0, partials: list.length,
    withPartials: { bytes: 0, includeTags: 0 }, inline: { bytes: 0 }, greetingIncluders: [],
  };
  for (const partial of list) manifest.withPartials.bytes += Buffer.byteLength(partialFile(partial));
  const sizes = workspaceSizes(random, TEMPLATES, TEMPLATE_BYTES);
  for (let i = 0; i < sizes.length; i++) {
    const body = generateTemplate('liquid', sizes[i], `partials/${i}`);
    const starts = rowStarts(body);
    // The greeting row the generator writes stays; the includes go between the rows after it.
    const sites: string[] = [callSite(w, partials.get('greeting')!)];
    if (random.chance(0.5)) sites.push(callSite(w, partials.get('product-card')!));
    if (random.chance(0.25)) sites.push(callSite(w, partials.get('recommendation-card')!));
    if (random.chance(0.4)) sites.push(callSite(w, partials.get('city-note')!));
    // Popular blocks more often: the square of a uniform deviate leans to the start of the list.
    for (let n = random.int(3, 8); n > 0; n--) sites.push(callSite(w, blocks[Math.floor(random.next() ** 2 * blocks.length)]));
    const footerAt = body.lastIndexOf('<tr>\n<td style="padding:16px 32px 32px;');
    const slots = starts.slice(1);
    let text = '';
    let from = 0;
    // The greeting first, then the others spread over the rows in order, the footer note last.
    const placed = sites.map((site, k) => ({ at: k === 0 ? (starts[1] ?? footerAt) : slots[Math.floor((k / sites.length) * slots.length)] ?? footerAt, site }));
    placed.push({ at: footerAt, site: callSite(w, partials.get('footer-note')!) });
    for (const { at, site } of placed.sort((a, b) => a.at - b.at)) {
      text += body.slice(from, at) + site;
      from = at;
    }
    text += body.slice(from);
    const folder = FOLDERS[i % FOLDERS.length];
    const file = path.join('emails', folder, `${String(i).padStart(4, '0')}-${random.pick(WORDS)}-${random.pick(WORDS)}.liquid`);
    writeFileSync(path.join(WITH_PARTIALS_DIR, file), text);
    const inline = pasteInline(text, partials);
    writeFileSync(path.join(INLINE_DIR, file), inline);
    manifest.templates++;
    manifest.withPartials.bytes += Buffer.byteLength(text);
    manifest.withPartials.includeTags += placed.length;
    manifest.inline.bytes += Buffer.byteLength(inline);
    manifest.greetingIncluders.push(file.split(path.sep).join('/'));
  }
  manifest.greetingIncluders.sort();
  log(`bench: wrote ${manifest.templates} templates with ${manifest.partials} partials (${(manifest.withPartials.bytes / 1024 / 1024).toFixed(1)} MB, ` +
    `${manifest.withPartials.includeTags} include tags) and pasted inline (${(manifest.inline.bytes / 1024 / 1024).toFixed(1)} MB)`);
  writeFileSync(partialsManifestPath(), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  generatePartialWorkspaces(console.log);
  console.log(`bench: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
