import { fieldQuadrant, purposeCoversField } from './purposes';
import type { FieldSpec, Purpose, Schema } from './schema/types';
import { describeShown, type ShownValue } from './values';
import { QUADRANTS } from '../../../protocol/src/quadrants';

const SOURCE_MEANING: Record<NonNullable<FieldSpec['source']>, string> = {
  declared: 'the recipient told you this',
  transactional: 'it comes from what the recipient did with you (orders, plans, bookings)',
  observed: 'you saw it in how the recipient uses your product',
  inferred: 'you guessed it; the recipient does not know you hold it',
  'third-party': 'someone else sold or shared it; the recipient does not know you hold it',
};

export interface FieldDocOptions {
  /** Purposes that apply to the template being edited; omitted outside a template. */
  templatePurposes?: Purpose[];
  /** What each sample recipient sees here. */
  recipientValues?: { name: string; shown: ShownValue }[];
  /** The field's coverage in the audience snapshot, in words (see audience/editor.ts). */
  audience?: string;
}

/** One markdown description of a field, for hover and completion alike. */
export function fieldMarkdown(field: FieldSpec, schema: Schema, options: FieldDocOptions = {}): string {
  const lines: string[] = [`**${field.path}** · ${field.type ? `\`${field.type}\`` : 'type not declared'}${field.required ? ' · required' : ''}`];
  if (field.deprecated) lines.push('', `⚠️ Deprecated${field.deprecated === 'deprecated' ? '' : `: ${field.deprecated}`}`);
  if (field.description) lines.push('', field.description);
  lines.push('');
  if (field.source) lines.push(`- **Source:** ${field.source}: ${SOURCE_MEANING[field.source]}`);
  else lines.push('- **Source:** none set in mergewise.json');
  const listing = [...schema.purposes.values()].filter((purpose) => purposeCoversField(purpose, field.path));
  if (options.templatePurposes) {
    const { quadrant } = fieldQuadrant(field, options.templatePurposes);
    if (quadrant) lines.push(`- **Quadrant here:** ${QUADRANTS[quadrant].name} (${quadrant.replace('-', ', ')})`);
  }
  if (field.sensitivity) lines.push(`- **Sensitivity:** ${field.sensitivity}`);
  lines.push(`- **Fallback:** ${field.fallback !== undefined ? `"${field.fallback}"` : 'none in the schema'}`);
  if (field.maxAgeDays !== undefined) lines.push(`- **Goes stale after:** ${field.maxAgeDays} days`);
  if (options.audience) lines.push(`- **Audience:** ${options.audience}`);
  lines.push(`- **Purposes:** ${listing.length ? listing.map((p) => p.id).join(', ') : 'none lists this field'}`);
  const aliases = Object.entries(field.aliases);
  if (aliases.length) lines.push(`- **Also written:** ${aliases.map(([dialect, alias]) => `\`${alias}\` (${dialect})`).join(', ')}`);
  if (field.examples?.length) lines.push(`- **Examples:** ${field.examples.slice(0, 3).map((e) => JSON.stringify(e)).join(', ')}`);
  if (options.recipientValues?.length) {
    lines.push('', '| Sample recipient | Sees |', '| --- | --- |');
    for (const { name, shown } of options.recipientValues) {
      lines.push(`| ${escapeCell(name)} | ${escapeCell(shown.kind === 'blank' ? '*(blank)*' : describeShown(shown, 60))} |`);
    }
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The markdown the core writes (bold, code spans, emphasis, lists and two-column tables), as plain
 * text: a table row `| Ana | there |` reads `Ana: there`, and its separator row goes.
 */
export function plainText(markdown: string): string {
  return markdown.split('\n')
    .filter((line) => !/^\|(\s*:?-+:?\s*\|)+$/.test(line))
    .map((line) => (line.startsWith('| ') && line.endsWith(' |') ? tableRow(line) : line))
    .join('\n')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\*(\([^*]+\))\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1');
}

function tableRow(line: string): string {
  const cells = line.slice(2, -2).split(/(?<!\\) \| /).map((cell) => cell.replace(/\\\|/g, '|'));
  return cells.join(': ');
}
