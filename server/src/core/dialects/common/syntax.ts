import type { DialectSyntax } from '../dialect';

/** Tags in double braces only: `{{ … }}` (the Handlebars family, Marketo). */
export const BRACES: Omit<DialectSyntax, 'extensions' | 'signature'> = {
  openers: ['{{'],
  closers: ['}}'],
  rawSyntax: /\{\{|\}\}/,
};

/** Outputs in double braces and logic in `{% … %}` (Liquid, the Django family). */
export const BRACES_AND_TAGS: Omit<DialectSyntax, 'extensions' | 'signature'> = {
  openers: ['{{', '{%'],
  closers: ['}}', '%}'],
  rawSyntax: /\{\{|\}\}|\{%|%\}/,
};
