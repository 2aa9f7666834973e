/**
 * Marketo tokens: `{{lead.First Name:default=there}}`, `{{company.Company Name}}`, program tokens
 * `{{my.Webinar Date}}` (declared in the schema like any field), and `{{system.unsubscribeLink}}`.
 * Marketo has no conditionals in the email itself (that logic lives in Velocity email-script
 * tokens), so there are no branches to compare.
 *
 * Scanning is hand-written (one pass, exact UTF-16 offsets, linear, goes on after mistakes) because
 * it runs on every keystroke; a token Marketo cannot read reaches the recipient as raw text.
 */
import type { CompletionEntry, Dialect, FieldUse, RenderRequest, RenderResult, TemplateScan, TextEdit } from '../dialect';
import { closestNames } from '../../closest';
import { formatPatternDate } from '../common/format';
import { htmlPurposeDirective, findHtmlCommentDirectives } from '../common/html-comments';
import { dataPathOf, isEmptyValue, renderWithLimits, valueAtPath } from '../common/render-support';
import { ForwardIndex, LineEnds, ScanCollector, shortText } from '../common/scan-collector';
import { DATA_TYPES, SYSTEM_TYPES, nextToken, readToken } from './syntax';
import { MARKETO_SYSTEM_TAGS } from './system-tags';
import { ownValue } from '../../own-value';
import { BRACES } from '../common/syntax';

const RAW = 'the recipient would see it as raw text';

export function scanMarketo(text: string): TemplateScan {
  const collector = new ScanCollector(text);
  const lines = new LineEnds(text);
  const closes = new ForwardIndex(text, '}}');
  findHtmlCommentDirectives(text, collector.purposeDirectives);
  for (let match = nextToken(text, 0, lines, closes); match; match = nextToken(text, match.closed ? match.tagSpan.end : match.contentStart, lines, closes)) {
    if (!match.closed) {
      collector.error(match.tagSpan, `\`${shortText(text, match.tagSpan, 40)}\` is never closed with \`}}\` on its line: ${RAW}. Close the token with \`}}\`.`);
      continue;
    }
    const token = readToken(match);
    if (token.kind === 'invalid') {
      const type = match.content.split('.')[0].trim().toLowerCase();
      const suggestion = match.content.includes('.') && !DATA_TYPES.includes(type) && !SYSTEM_TYPES.includes(type)
        ? closestNames(type, [...DATA_TYPES, ...SYSTEM_TYPES], 1)[0]
        : undefined;
      collector.error(token.span, `${token.message}: ${RAW}.` + (suggestion ? ` Did you mean \`${suggestion}.\`?` : ''));
      continue;
    }
    if (token.kind === 'system') {
      const written = `${match.content.slice(0, token.type.length)}.${token.name}`;
      const system = MARKETO_SYSTEM_TAGS.find(written);
      if (system) collector.addSystemUse(system, written, { start: match.contentStart, end: match.contentStart + written.length });
    }
    if (token.kind === 'data') {
      collector.addUse({
        path: token.path, written: text.slice(token.pathSpan.start, token.pathSpan.end), span: token.pathSpan,
        tagSpan: match.tagSpan, context: 'output', fallback: token.fallback, filters: [],
      });
    }
  }
  return collector.result();
}

const SYSTEM_VALUES: Record<string, string> = {
  unsubscribelink: 'https://pages.example.com/UnsubscribePage.html?mkt_unsubscribe=1',
  viewaswebpagelink: 'https://pages.example.com/webpage.html?mkt_tok=preview',
  forwardtofriendlink: 'https://pages.example.com/forward.html?mkt_tok=preview',
};

export function renderMarketo(request: RenderRequest): RenderResult {
  return renderWithLimits(request, 'Marketo', (out) => {
    const text = request.text;
    const useAt = new Map<number, number>();
    request.scan.uses.forEach((use, index) => useAt.set(use.span.start, index));
    const now = new Date();
    const lines = new LineEnds(text);
    const closes = new ForwardIndex(text, '}}');
    let pos = 0;
    for (let match = nextToken(text, 0, lines, closes); match; match = nextToken(text, match.closed ? match.tagSpan.end : match.contentStart, lines, closes)) {
      out.step();
      if (!match.closed) continue;
      out.text(text.slice(pos, match.tagSpan.start));
      pos = match.tagSpan.end;
      const token = readToken(match);
      if (token.kind === 'invalid') {
        out.text(text.slice(match.tagSpan.start, match.tagSpan.end));
      } else if (token.kind === 'system') {
        const name = token.name.toLowerCase();
        if (token.type === 'system' && (name === 'date' || name === 'datetime' || name === 'time')) {
          out.text(formatPatternDate(now, name === 'date' ? 'MMM d, yyyy' : name === 'time' ? 'h:mm a' : 'MMM d, yyyy h:mm a'));
        } else {
          out.text(ownValue(SYSTEM_VALUES, name) ?? `(${token.type}.${token.name})`);
        }
      } else {
        const index = useAt.get(token.pathSpan.start);
        const raw = valueAtPath(request.data, index === undefined ? token.path : dataPathOf(request, index));
        const value = isEmptyValue(raw) ? (token.fallback ?? '') : String(raw);
        if (index === undefined) out.text(value);
        else out.field(index, value === '' ? 'blank' : isEmptyValue(raw) ? 'fallback' : 'value', value);
      }
    }
    out.text(text.slice(pos));
  });
}

const TOKENS: [string, string, string][] = [
  ['lead', 'A person field: {{lead.First Name:default=there}}', 'lead.${1:First Name}:default=${2:there}'],
  ['company', 'A company field: {{company.Company Name}}', 'company.${1:Company Name}:default=${2:your team}'],
  ['my', 'A program token, declared in mergewise.json as my.…', 'my.${1:token}'],
  ['member', 'A program member field', 'member.${1:field}'],
  ['system.unsubscribeLink', 'Unsubscribe link', 'system.unsubscribeLink'],
  ['system.viewAsWebpageLink', 'Link to the web version', 'system.viewAsWebpageLink'],
  ['system.date', 'Today', 'system.date'],
  ['campaign.name', 'The campaign name', 'campaign.name'],
  ['program.name', 'The program name', 'program.name'],
];

export const marketo: Dialect = {
  id: 'marketo',
  label: 'Marketo tokens',
  // Marketo writes tokens without spaces inside the braces; HubL's `{{ company.name }}` has them.
  syntax: { ...BRACES, extensions: [], signature: /\{\{(lead|company|my|member|system)\.[^}\s][^}]*\}\}/ },
  scan: scanMarketo,
  render: renderMarketo,
  fallbackEdit(_text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    if (use.context !== 'output') return undefined;
    return { span: { start: use.span.end, end: use.span.end }, newText: `:default=${fallback.replace(/\}\}/g, '')}` };
  },
  purposeDirective: htmlPurposeDirective,
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,")',
  filters: [{ label: 'default', detail: 'Value shown when the field is empty: {{lead.First Name:default=there}}', snippet: 'default=${1:there}' }],
  tags: TOKENS.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet })),
  helpersAfterOpener: true,
  filterInputs: {},
  systemTags: MARKETO_SYSTEM_TAGS,
};
