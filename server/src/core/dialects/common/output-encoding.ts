/**
 * How each dialect encodes an output for a URL and how it writes an output that skips HTML escaping,
 * with the edits that add the encoding or restore the escaping, in the dialect's own syntax. Read by
 * `unencoded-url-field` and `unescaped-field`; a `Record` over every dialect id, so a new dialect
 * cannot be added without saying what it has (the compiler refuses the table without it).
 *
 * Only what each platform documents: SendGrid, plain Handlebars (Amazon SES, Mailgun), Postmark's
 * Mustachio, Account Engagement and Marketo have no URL-encoding helper, so there is no finding to
 * make there (`urlEncoding` undefined). Liquid is read without autoescape (Shopify, Braze and
 * Customer.io do not turn it on, and the template does not say), so only an explicit `| raw` counts.
 */
import type { Span } from '../../model';
import type { FieldUse, TextEdit } from '../dialect';
import type { DialectId } from '../ids';
// The one dialect whose references need reading back from the text to wrap them.
import { attributeReferenceSpan } from '../ampscript/reference';

export interface UrlEncoding {
  /** How the encoding is written, for messages: `| url_encode`. */
  written: string;
  /** Whether this output is already URL-encoded. `value` is the attribute value the use sits in. */
  isEncoded(text: string, use: FieldUse, value: Span): boolean;
  /** The edit that encodes this output, or undefined where the tag is not a plain one to rewrite. */
  edit(text: string, use: FieldUse): TextEdit | undefined;
}

export interface Unescaped {
  /** The unescaped form as written, for messages: `{{{…}}}`, `| raw`. */
  written: string;
  /** What writing it escaped looks like, for messages: `{{customer.city}}`. */
  escapedForm: string;
  /** The edit to the escaped form, when it is a plain edit of this tag. */
  edit?: TextEdit;
}

export interface OutputEncoding {
  urlEncoding?: UrlEncoding;
  /** How this output skips HTML escaping, or undefined when it does not. */
  unescaped(text: string, use: FieldUse): Unescaped | undefined;
}

const NONE = (): undefined => undefined;

/** The end of an output tag's expression: before `}}` (or `-}}`, `~}}`) and the spaces before it. */
function expressionEnd(text: string, tag: Span, closer: string): number {
  let end = tag.end;
  if (text.startsWith(closer, end - closer.length)) end -= closer.length;
  else return -1;
  const trim = text.charCodeAt(end - 1);
  if (trim === 45 /* - */ || trim === 126 /* ~ */) end--;
  while (end > tag.start && /\s/.test(text[end - 1])) end--;
  return end;
}

/** A filter appended at the end of an output tag's expression: `{{ x | default: 'y' }}` → `{{ x | default: 'y' | url_encode }}`. */
function appendFilter(text: string, use: FieldUse, filter: string): TextEdit | undefined {
  if (use.context !== 'output' || !text.startsWith('{{', use.tagSpan.start)) return undefined;
  const end = expressionEnd(text, use.tagSpan, '}}');
  if (end === -1 || end < use.span.end) return undefined;
  return { span: { start: end, end }, newText: filter };
}

/** The text of `| name` (Liquid) or `|name` (Django) after the use in its tag, with the spaces before it, to remove. */
function filterSpan(text: string, use: FieldUse, name: string): Span | undefined {
  const tag = text.slice(use.span.end, use.tagSpan.end);
  const match = new RegExp(`\\s*\\|\\s*${name}\\b(?!\\s*[:(])`).exec(tag);
  if (!match) return undefined;
  const start = use.span.end + match.index;
  return { start, end: start + match[0].length };
}

const liquid: OutputEncoding = {
  urlEncoding: {
    written: '| url_encode',
    isEncoded: (_text, use) => use.filters.some((f) => f === 'url_encode' || f === 'url_param_escape' || f === 'uri_escape'),
    edit: (text, use) => appendFilter(text, use, ' | url_encode'),
  },
  unescaped(text, use) {
    if (use.context !== 'output' || !use.filters.includes('raw')) return undefined;
    const span = filterSpan(text, use, 'raw');
    const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
    const escapedForm = span ? text.slice(use.tagSpan.start, span.start) + text.slice(span.end, use.tagSpan.end) : tag;
    return { written: '| raw', escapedForm, edit: span && { span, newText: '' } };
  },
};

/** Handlebars and its flavors: `{{{x}}}` and `{{&x}}` skip HTML escaping. */
function handlebarsUnescaped(text: string, use: FieldUse): Unescaped | undefined {
  if (use.context !== 'output') return undefined;
  const { start, end } = use.tagSpan;
  const tag = text.slice(start, end);
  const triple = /^\{\{(~?)\{([\s\S]*)\}(~?)\}\}$/.exec(tag);
  if (triple) {
    const escapedForm = `{{${triple[1]}${triple[2]}${triple[3]}}}`;
    return { written: '{{{…}}}', escapedForm, edit: { span: { start, end }, newText: escapedForm } };
  }
  const amp = /^\{\{(~?)\s*&/.exec(tag);
  if (amp) {
    const ampAt = start + amp[0].length - 1;
    const escapedForm = text.slice(start, ampAt) + text.slice(ampAt + 1, end);
    return { written: '{{&…}}', escapedForm, edit: { span: { start: ampAt, end: ampAt + 1 }, newText: '' } };
  }
  return undefined;
}

const handlebarsFamily: OutputEncoding = { unescaped: handlebarsUnescaped };

/** The inside of a `{{…}}` or `{{{…}}}` tag, without its braces, `~` and outer spaces. */
function mustacheInside(text: string, tag: Span): Span | undefined {
  let start = tag.start;
  let end = tag.end;
  if (!text.startsWith('{{', start) || !text.startsWith('}}', end - 2)) return undefined;
  start += 2;
  end -= 2;
  if (text[start] === '{' && text[end - 1] === '}') {
    start++;
    end--;
  }
  if (text[start] === '~') start++;
  if (text[end - 1] === '~') end--;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return start < end ? { start, end } : undefined;
}

const iterable: OutputEncoding = {
  urlEncoding: {
    written: '{{urlEncode …}}',
    isEncoded(text, use, value) {
      // `{{urlEncode firstName}}`, or inside `{{#urlEncode}}…{{/urlEncode}}` within the same value.
      const inside = mustacheInside(text, use.tagSpan);
      if (inside && /^urlEncode\s/.test(text.slice(inside.start, inside.end))) return true;
      const before = text.slice(value.start, use.tagSpan.start);
      const opened = before.lastIndexOf('{{#urlEncode');
      return opened !== -1 && before.indexOf('{{/urlEncode', opened) === -1;
    },
    edit(text, use) {
      if (use.context !== 'output') return undefined;
      const inside = mustacheInside(text, use.tagSpan);
      if (!inside || text[inside.start] === '#' || text[inside.start] === '/' || text[inside.start] === '&') return undefined;
      const expression = text.slice(inside.start, inside.end);
      if (expression === use.written) return { span: { start: inside.start, end: inside.start }, newText: 'urlEncode ' };
      return { span: inside, newText: `urlEncode (${expression})` };
    },
  },
  unescaped: handlebarsUnescaped,
};

/** Django-style filters (Klaviyo, HubL): `|urlencode`, `|safe`. */
function djangoFamily(): OutputEncoding {
  return {
    urlEncoding: {
      written: '|urlencode',
      isEncoded: (_text, use) => use.filters.includes('urlencode'),
      edit: (text, use) => appendFilter(text, use, '|urlencode'),
    },
    unescaped(text, use) {
      if (use.context !== 'output' || !use.filters.includes('safe')) return undefined;
      const span = filterSpan(text, use, 'safe');
      const escapedForm = span
        ? text.slice(use.tagSpan.start, span.start) + text.slice(span.end, use.tagSpan.end)
        : text.slice(use.tagSpan.start, use.tagSpan.end);
      return { written: '|safe', escapedForm, edit: span && { span, newText: '' } };
    },
  };
}

/** An AMPscript output tag, `%%=EXPR=%%`, or a personalization string, `%%Name%%`. */
function ampscriptExpression(text: string, use: FieldUse): { expression: string } | undefined {
  const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
  const inline = /^%%=\s*([\s\S]*?)\s*=%%$/.exec(tag);
  if (inline) {
    const v = /^v\(\s*([\s\S]*?)\s*\)$/i.exec(inline[1]);
    return { expression: v ? v[1] : inline[1] };
  }
  const personalization = /^%%([^%[=\]]+)%%$/.exec(tag);
  if (personalization) return { expression: `AttributeValue("${personalization[1]}")` };
  return undefined;
}

const ampscript: OutputEncoding = {
  urlEncoding: {
    written: 'URLEncode(…, true, true)',
    isEncoded: (_text, use) => use.filters.some((f) => f.toLowerCase() === 'urlencode'),
    edit(text, use) {
      if (use.context !== 'output') return undefined;
      if (use.writtenBefore !== undefined) {
        // Joined into a link (`Concat("https://x.example/?e=", AttributeValue("City"))`): encoding the
        // whole output would encode the link itself, so only the field's reference is encoded.
        const span = attributeReferenceSpan(text, use);
        return span && { span, newText: `URLEncode(${text.slice(span.start, span.end)}, true, true)` };
      }
      const found = ampscriptExpression(text, use);
      if (!found) return undefined;
      // Both flags: without them URLEncode only turns spaces into %20 and leaves `&` as it is.
      return { span: use.tagSpan, newText: `%%=URLEncode(${found.expression}, true, true)=%%` };
    },
  },
  unescaped(text, use) {
    if (use.context !== 'output' || !use.filters.some((f) => f.toLowerCase() === 'treatascontent')) return undefined;
    const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
    const call = /TreatAsContent\s*\(/i.exec(tag);
    const written = 'TreatAsContent(…)';
    if (!call) return { written, escapedForm: '%%=v(…)=%%' };
    const start = use.tagSpan.start + call.index;
    const edit = { span: { start, end: start + call[0].length }, newText: 'v(' };
    return { written, escapedForm: tag.slice(0, call.index) + 'v(' + tag.slice(call.index + call[0].length), edit };
  },
};

/** Mailchimp merge tags: `*|URL:FNAME|*` encodes, `*|HTML:FNAME|*` skips escaping. */
const mailchimp: OutputEncoding = {
  urlEncoding: {
    written: '*|URL:…|*',
    isEncoded: (_text, use) => use.filters.includes('URL'),
    edit(text, use) {
      // Only a plain tag, `*|FNAME|*`: one with another modifier is left to the author.
      const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
      if (use.context !== 'output' || tag !== `*|${use.written}|*`) return undefined;
      return { span: { start: use.tagSpan.start + 2, end: use.tagSpan.start + 2 }, newText: 'URL:' };
    },
  },
  unescaped(text, use) {
    if (use.context !== 'output' || !use.filters.includes('HTML')) return undefined;
    const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
    const modifier = /^\*\|HTML:/.exec(tag);
    if (!modifier) return { written: '*|HTML:…|*', escapedForm: `*|${use.written}|*` };
    const start = use.tagSpan.start + 2;
    return {
      written: '*|HTML:…|*',
      escapedForm: `*|${tag.slice(modifier[0].length)}`,
      edit: { span: { start, end: start + 5 }, newText: '' },
    };
  },
};

export const OUTPUT_ENCODINGS: Record<DialectId, OutputEncoding> = {
  liquid,
  handlebars: handlebarsFamily,
  sendgrid: handlebarsFamily,
  iterable,
  postmark: handlebarsFamily,
  hml: handlebarsFamily,
  klaviyo: djangoFamily(),
  hubl: djangoFamily(),
  ampscript,
  mailchimp,
  marketo: { unescaped: NONE },
};
