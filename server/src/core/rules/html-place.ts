import type { FieldUse } from '../dialects/dialect';
import { htmlContext, placeAfterWritten, placeOf, type HtmlContext, type HtmlPlace } from '../html-context';
import type { TemplateContext } from './rule';

const cache = new WeakMap<TemplateContext, HtmlContext>();

/**
 * Where a use's tag sits in the template's HTML (which URL attribute, which part of the URL), or
 * undefined outside every URL attribute; a tag that joins literal text in front of the value (AMPscript's
 * `Concat`) places it after that text. The HTML is read once per analysis, on the first question.
 */
export function htmlPlace(context: TemplateContext, use: FieldUse): HtmlPlace | undefined {
  let html = cache.get(context);
  if (!html) cache.set(context, (html = htmlContext(context.text)));
  const place = placeOf(html, context.text, use.tagSpan);
  return place && use.writtenBefore !== undefined ? placeAfterWritten(place, use.writtenBefore) : place;
}
