import type { CompletionEntry, Dialect, DialectSyntax, FieldUse, TextEdit } from '../dialect';
import { enclosingQuote, fallbackAsText, quoteWithoutEscapes } from '../common/quote';
import type { DjangoFlavor } from './flavor';
import { renderDjango } from './render';
import { scanDjango } from './scanner';

export type CompletionRow = [label: string, detail: string, snippet?: string];


export interface DjangoDialectOptions {
  label: string;
  syntax: DialectSyntax;
  missingValueOutcome: string;
  filters: CompletionRow[];
  tags: CompletionRow[];
  filterInputs: Record<string, 'date' | 'number' | 'array'>;
  /** The text that gives a value a fallback, inserted right after the reference. */
  defaultFilter(quoted: string): string;
}

/** One Django-style dialect: the shared scanner and renderer, with the flavor's syntax. */
export function djangoDialect(flavor: DjangoFlavor, options: DjangoDialectOptions): Dialect {
  return {
    id: flavor.id,
    label: options.label,
    syntax: options.syntax,
    scan: (text) => scanDjango(text, flavor),
    systemTags: flavor.systemTags,
    render: (request) => renderDjango(request, flavor),
    fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
      if (use.context !== 'output' && use.context !== 'assign') return undefined;
      const literal = quoteWithoutEscapes(fallback, enclosingQuote(text, use.tagSpan.start));
      if (literal === undefined) return undefined;
      if (use.filters[0] === 'personalization_token') {
        // `personalization_token('contact.firstname')`: the default is the call's second argument.
        const quote = text.charCodeAt(use.span.end);
        if (quote !== 39 && quote !== 34) return undefined;
        return { span: { start: use.span.end + 1, end: use.span.end + 1 }, newText: `, ${literal}` };
      }
      if (use.context === 'output' && use.filters.some((filter) => filter in options.filterInputs)) return typedFallback(text, use, fallback, flavor.jinja ? undefined : options.defaultFilter(literal));
      return { span: { start: use.span.end, end: use.span.end }, newText: options.defaultFilter(literal) };
    },
    purposeDirective(purposeIds: string[]): string {
      return `{# mergewise purpose: ${purposeIds.join(', ')} #}`;
    },
    missingValueOutcome: options.missingValueOutcome,
    filters: options.filters.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet: snippet ?? label })),
    tags: options.tags.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet: snippet ?? label })),
    filterInputs: options.filterInputs,
  };
}

/**
 * A fallback for a value a filter reads as a date, number or list, which turns the fallback's text
 * into '' (Django's `date`, `floatformat`) or something else (`join` spells it out). Django's
 * `default` replaces the '' the filter leaves: it goes after the whole chain. Jinja's (HubL) replaces
 * only a missing value, and HubSpot's date filters print a date even then: the tag goes inside
 * `{% if %}…{% else %}fallback{% endif %}`.
 */
function typedFallback(text: string, use: FieldUse, fallback: string, djangoDefault: string | undefined): TextEdit | undefined {
  if (djangoDefault !== undefined) {
    const at = expressionEnd(text, use.tagSpan.end);
    return { span: { start: at, end: at }, newText: djangoDefault };
  }
  const shown = fallbackAsText(fallback, text, use.tagSpan.start);
  if (shown === undefined) return undefined;
  const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
  // Whitespace control stays on the outside, where it stripped the text around the tag.
  const before = tag.startsWith('{{-') ? '-' : '';
  const after = tag.endsWith('-}}') ? '-' : '';
  return { span: use.tagSpan, newText: `{%${before} if ${use.written} %}${tag}{% else %}${shown}{% endif ${after}%}` };
}

/** The end of an output tag's expression: before its `}}`, whitespace control and spaces. */
function expressionEnd(text: string, tagEnd: number): number {
  let end = tagEnd - 2;
  if (text[end - 1] === '-') end--;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t' || text[end - 1] === '\n')) end--;
  return end;
}
