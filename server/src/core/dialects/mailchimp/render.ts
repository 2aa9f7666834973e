/**
 * Mailchimp previews: merge tags replaced by the recipient's data, conditionals evaluated. A field
 * with no value shows its audience default, which Mergewise takes from the schema's `fallback`
 * (it reaches the scan's uses as their fallback).
 */
import type { RenderRequest, RenderResult } from '../dialect';
import { formatDjangoDate, toNumber } from '../common/format';
import { dataPathOf, isEmptyValue, renderWithLimits, valueAtPath } from '../common/render-support';
import { ForwardIndex, LineEnds } from '../common/scan-collector';
import { nextTag, readTag, type Condition } from './syntax';

interface Frame {
  /** The enclosing content is shown. */
  parentShown: boolean;
  /** A branch of this conditional was taken. */
  taken: boolean;
  shown: boolean;
}

const PLACEHOLDERS: Record<string, string> = {
  UNSUB: 'https://example.us1.list-manage.com/unsubscribe?u=preview',
  UPDATE_PROFILE: 'https://example.us1.list-manage.com/profile?u=preview',
  ARCHIVE: 'https://us1.campaign-archive.com/?u=preview',
  FORWARD: 'https://us1.forward-to-friend.com/forward?u=preview',
  ABOUT_LIST: 'https://example.us1.list-manage.com/about?u=preview',
  MC_PREVIEW_TEXT: '',
  REWARDS: '',
  REWARDS_TEXT: '',
};

export function renderMailchimp(request: RenderRequest): RenderResult {
  return renderWithLimits(request, 'Mailchimp', (out) => {
    const text = request.text;
    const useAt = new Map<number, number>();
    request.scan.uses.forEach((use, index) => useAt.set(use.span.start, index));
    const valueOf = (name: string, start: number) => {
      const index = useAt.get(start);
      return valueAtPath(request.data, index === undefined ? name : dataPathOf(request, index));
    };
    const test = (condition: Condition | undefined): boolean => {
      if (!condition) return false;
      const value = valueOf(condition.name, condition.nameSpan.start);
      if (!condition.operator) return !isEmptyValue(value) && value !== false;
      const actual = String(value ?? '');
      const expected = condition.value ?? '';
      const a = toNumber(actual);
      const b = toNumber(expected);
      const order = a !== undefined && b !== undefined ? a - b : actual.localeCompare(expected, 'en', { sensitivity: 'accent' });
      switch (condition.operator) {
        case '=': return order === 0;
        case '!=': return order !== 0;
        case '>': return order > 0;
        case '<': return order < 0;
        case '>=': return order >= 0;
        default: return order <= 0;
      }
    };
    const stack: Frame[] = [];
    const shown = () => stack.length === 0 || stack[stack.length - 1].shown;
    let pos = 0;
    const lines = new LineEnds(text);
    const closes = new ForwardIndex(text, '|*');
    for (let match = nextTag(text, 0, lines, closes); match; match = nextTag(text, match.tagSpan.end, lines, closes)) {
      out.step();
      if (shown()) out.text(text.slice(pos, match.tagSpan.start));
      pos = match.tagSpan.end;
      if (!match.closed) {
        if (shown()) out.text(text.slice(match.tagSpan.start, match.tagSpan.end));
        continue;
      }
      const tag = readTag(match);
      switch (tag.kind) {
        case 'field': {
          if (!shown()) break;
          const index = useAt.get(tag.nameSpan.start);
          const raw = valueOf(tag.name, tag.nameSpan.start);
          const fallback = index === undefined ? null : request.scan.uses[index].fallback;
          let value = isEmptyValue(raw) ? (fallback ?? '') : String(raw);
          switch (tag.modifier) {
            case 'TITLE': value = value.toLowerCase().replace(/(^|\s)(\p{L})/gu, (_w, before: string, letter: string) => before + letter.toUpperCase()); break;
            case 'UPPER': value = value.toUpperCase(); break;
            case 'LOWER': value = value.toLowerCase(); break;
            case 'URL': value = encodeURIComponent(value); break;
          }
          if (index === undefined) out.text(value);
          else out.field(index, value === '' ? 'blank' : isEmptyValue(raw) ? 'fallback' : 'value', value);
          break;
        }
        case 'system': {
          if (!shown()) break;
          const upper = tag.content.toUpperCase();
          if (upper.startsWith('DATE:')) out.text(formatDjangoDate(new Date(), tag.content.slice(5)));
          else if (upper === 'CURRENT_YEAR') out.text(String(new Date().getUTCFullYear()));
          else out.text(PLACEHOLDERS[upper] ?? `(${tag.content})`);
          break;
        }
        case 'if':
        case 'ifnot': {
          const parentShown = shown();
          const result = tag.kind === 'if' ? test(tag.condition) : !test(tag.condition);
          stack.push({ parentShown, taken: result, shown: parentShown && result });
          break;
        }
        case 'elseif': {
          const frame = stack[stack.length - 1];
          if (!frame) break;
          const result = !frame.taken && test(tag.condition);
          frame.shown = frame.parentShown && result;
          frame.taken ||= result;
          break;
        }
        case 'else': {
          const frame = stack[stack.length - 1];
          if (!frame) break;
          frame.shown = frame.parentShown && !frame.taken;
          frame.taken = true;
          break;
        }
        case 'open-block': {
          // Interest groups and feeds are not in the sample data: interest content shows, feeds do not.
          const parentShown = shown();
          const visible = tag.block === 'INTERESTED' || tag.block === 'RANDOM';
          stack.push({ parentShown, taken: visible, shown: parentShown && visible });
          break;
        }
        case 'end':
          stack.pop();
          break;
        case 'invalid':
          if (shown()) out.text(text.slice(match.tagSpan.start, match.tagSpan.end));
          break;
      }
    }
    if (shown()) out.text(text.slice(pos));
  });
}
