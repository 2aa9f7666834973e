import assert from 'node:assert/strict';
import { analyzeTemplate, type TemplateAnalysis } from '../../server/src/core/analyze';
import { applyEdits } from '../../server/src/core/dialects/edits';
import type { DialectId } from '../../server/src/core/dialects/ids';
import { getDialect } from '../../server/src/core/dialects/registry';
import { fixesFor } from '../../server/src/core/fixes';
import type { Diagnostic, RuleId } from '../../server/src/core/model';
import { NOW, schemaOf } from './schema';

/** One schema for every platform, through aliases: the fields the HTML-context rules care about. */
export const LINK_SCHEMA = schemaOf({
  fields: {
    'customer.first_name': {
      type: 'string', source: 'declared', fallback: 'there',
      aliases: { mailchimp: 'FNAME', hubl: 'contact.firstname', klaviyo: 'first_name', ampscript: 'FirstName', iterable: 'firstName' },
    },
    'customer.city': {
      type: 'string', source: 'observed', fallback: 'your area',
      aliases: { mailchimp: 'CITY', hubl: 'contact.city', klaviyo: 'city', ampscript: 'City', iterable: 'city' },
    },
    'customer.ref_code': {
      type: 'string', source: 'transactional', fallback: 'welcome',
      aliases: { mailchimp: 'REFCODE', hubl: 'contact.ref_code', klaviyo: 'ref_code', ampscript: 'RefCode', iterable: 'refCode' },
    },
    'customer.avatar_url': {
      type: 'string', source: 'declared',
      aliases: { mailchimp: 'AVATAR', hubl: 'contact.avatar_url', klaviyo: 'avatar_url', ampscript: 'AvatarURL', iterable: 'avatarUrl' },
    },
    'customer.id': { type: 'string', source: 'transactional', required: true, aliases: { mailchimp: 'ID', ampscript: 'SubscriberKey', iterable: 'userId' } },
    'customer.visits': { type: 'number', source: 'observed', aliases: { mailchimp: 'VISITS', ampscript: 'Visits', hubl: 'contact.visits' } },
    'customer.bio': { type: 'string', source: 'declared', aliases: { mailchimp: 'BIO', hubl: 'contact.bio', klaviyo: 'bio', ampscript: 'Bio', iterable: 'bio' } },
    'customer.segment': { type: 'string', source: 'inferred', aliases: { hubl: 'contact.segment' } },
  },
});

export function analyzeIn(dialect: DialectId, text: string): TemplateAnalysis {
  return analyzeTemplate({ text, relativePath: `emails/test.${dialect}.html`, dialect: getDialect(dialect), schema: LINK_SCHEMA, now: NOW });
}

/** The findings of one rule, as [reported text, message]. */
export function found(dialect: DialectId, text: string, rule: RuleId): { analysis: TemplateAnalysis; findings: Diagnostic[]; written: string[] } {
  const analysis = analyzeIn(dialect, text);
  const findings = analysis.diagnostics.filter((d) => d.rule === rule);
  return { analysis, findings, written: findings.map((d) => text.slice(d.span.start, d.span.end)) };
}

/** The text after the finding's safe fix (or its only suggestion when `suggested`). */
export function fixed(analysis: TemplateAnalysis, diagnostic: Diagnostic, suggested = false): string {
  const fixes = fixesFor(analysis, diagnostic);
  const fix = suggested ? fixes.suggestions[0] : fixes.fix;
  assert.ok(fix, `no ${suggested ? 'suggestion' : 'safe fix'} for ${diagnostic.message}`);
  if (!suggested) assert.equal(fixes.suggestions.length, 0);
  return applyEdits(analysis.context.text, fix.edits);
}
