/**
 * Where a merge tag sits in a template's HTML (server/src/core/html-context.ts): which URL attribute,
 * which part of the URL. Templates with merge tags inside attribute values, quotes of every kind,
 * comments and raw-text elements; random text never throws and the work stays linear in its size
 * (counted, never timed).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { htmlContext, placeAfterWritten, placeOf, withoutMergeTags, type HtmlPlace } from '../../server/src/core/html-context';

/** The place of the first occurrence of `tag` in `text`, as attribute, part and scheme. */
function at(text: string, tag: string, occurrence = 0): Pick<HtmlPlace, 'attribute' | 'part' | 'scheme'> | undefined {
  let start = -1;
  for (let k = 0; k <= occurrence; k++) start = text.indexOf(tag, start + 1);
  assert.ok(start !== -1, `${tag} not in ${text}`);
  const place = placeOf(htmlContext(text), text, { start, end: start + tag.length });
  return place && { attribute: place.attribute, part: place.part, ...(place.scheme ? { scheme: place.scheme } : {}) };
}

describe('html context: URL attributes', () => {
  test('a tag that is the whole value, then one in the query after it', () => {
    const text = '<a href="{{ url }}?u={{ id }}">Open</a>';
    assert.deepEqual(at(text, '{{ url }}'), { attribute: 'href', part: 'scheme-host' });
    assert.deepEqual(at(text, '{{ id }}'), { attribute: 'href', part: 'query' });
    const whole = '<a href="{{ url }}">Open</a>';
    assert.deepEqual(at(whole, '{{ url }}'), { attribute: 'href', part: 'whole' });
  });

  test('host, path, query and fragment of a literal URL', () => {
    const text = '<a href="https://{{ shop }}.example/u/{{ id }}?n={{ name }}&x=1#{{ section }}">';
    assert.deepEqual(at(text, '{{ shop }}'), { attribute: 'href', part: 'scheme-host', scheme: 'https' });
    assert.deepEqual(at(text, '{{ id }}'), { attribute: 'href', part: 'path', scheme: 'https' });
    assert.deepEqual(at(text, '{{ name }}'), { attribute: 'href', part: 'query', scheme: 'https' });
    assert.deepEqual(at(text, '{{ section }}'), { attribute: 'href', part: 'fragment', scheme: 'https' });
  });

  test('double, single and no quotes; any case; spaces around =', () => {
    assert.deepEqual(at('<img SRC = "https://cdn.example/{{ a }}">', '{{ a }}'), { attribute: 'src', part: 'path', scheme: 'https' });
    assert.deepEqual(at("<img src='https://cdn.example/{{ a }}' alt='{{ b }}'>", '{{ a }}'), { attribute: 'src', part: 'path', scheme: 'https' });
    assert.equal(at("<img src='https://cdn.example/{{ a }}' alt='{{ b }}'>", '{{ b }}'), undefined);
    assert.deepEqual(at('<a href=https://x.example/?q={{ a }} class=b>', '{{ a }}'), { attribute: 'href', part: 'query', scheme: 'https' });
    assert.equal(at('<a href=https://x.example/ title={{ a }}>', '{{ a }}'), undefined);
    assert.deepEqual(at('<a href={{ a }}>', '{{ a }}'), { attribute: 'href', part: 'whole' });
  });

  test('srcset, background, action and style url(…)', () => {
    assert.deepEqual(at('<img srcset="https://c.example/{{ a }} 2x">', '{{ a }}'), { attribute: 'srcset', part: 'path', scheme: 'https' });
    assert.deepEqual(at('<td background="{{ a }}">', '{{ a }}'), { attribute: 'background', part: 'whole' });
    assert.deepEqual(at('<form action="/s?q={{ a }}">', '{{ a }}'), { attribute: 'action', part: 'query' });
    const style = '<div style="color: red; background-image: url(\'https://c.example/{{ a }}\')">{{ b }}</div>';
    assert.deepEqual(at(style, '{{ a }}'), { attribute: 'style', part: 'path', scheme: 'https' });
    assert.equal(at(style, '{{ b }}'), undefined);
    assert.equal(at('<div style="color: {{ c }}">', '{{ c }}'), undefined);
  });

  test('quotes and angle brackets inside merge tags do not end the value or the tag', () => {
    const amp = '<a href="%%=Concat("https://x.example/?n=", @n)=%%&m=%%=v(@m)=%%">';
    assert.deepEqual(at(amp, '%%=v(@m)=%%'), { attribute: 'href', part: 'path' });
    const liquid = '<a {% if a > b %}class="x"{% endif %} href="https://x.example/{{ id }}">';
    assert.deepEqual(at(liquid, '{{ id }}'), { attribute: 'href', part: 'path', scheme: 'https' });
    const quoted = '<a href="https://x.example/?n={{ name | default: "a > b" }}&k={{ k }}">';
    assert.deepEqual(at(quoted, '{{ k }}'), { attribute: 'href', part: 'query', scheme: 'https' });
    const mailchimp = '<a href="https://x.example/?e=*|URL:EMAIL|*">';
    assert.deepEqual(at(mailchimp, '*|URL:EMAIL|*'), { attribute: 'href', part: 'query', scheme: 'https' });
  });

  test('mailto and tel keep their scheme', () => {
    assert.deepEqual(at('<a href="mailto:{{ email }}?subject={{ s }}">', '{{ email }}'), { attribute: 'href', part: 'path', scheme: 'mailto' });
    assert.deepEqual(at('<a href="mailto:{{ email }}?subject={{ s }}">', '{{ s }}'), { attribute: 'href', part: 'query', scheme: 'mailto' });
  });

  test('comments, <style> and <script> are skipped; text is no attribute', () => {
    const text =
      '<!-- <a href="{{ c }}"> -->\n<style>a { background: url({{ s }}) }</style>\n' +
      '<script>var a = "<a href=\'{{ js }}\'>";</script>\n<p>Hi {{ name }}, https://x.example/{{ p }}</p>\n<a href="{{ after }}">';
    for (const tag of ['{{ c }}', '{{ s }}', '{{ js }}', '{{ name }}', '{{ p }}']) assert.equal(at(text, tag), undefined, tag);
    assert.deepEqual(at(text, '{{ after }}'), { attribute: 'href', part: 'whole' });
    assert.deepEqual(at('<SCRIPT>x</script ><a href="{{ a }}">', '{{ a }}'), { attribute: 'href', part: 'whole' });
  });

  test('plain text has no context', () => {
    const text = 'Hi {{ name }},\nyour link: https://x.example/u/{{ id }}?n={{ name }}\n';
    assert.deepEqual(htmlContext(text).starts, []);
    assert.equal(at(text, '{{ id }}'), undefined);
  });

  test('malformed HTML: an unclosed tag, value, comment or merge tag', () => {
    assert.deepEqual(at('<a href="x" <img src="{{ a }}">', '{{ a }}'), { attribute: 'src', part: 'whole' });
    assert.equal(at('<!-- <a href="{{ a }}">', '{{ a }}'), undefined);
    assert.deepEqual(at('<a href="https://x.example/{{ a }}', '{{ a }}'), { attribute: 'href', part: 'path', scheme: 'https' });
    const unclosed = '<a href="https://x.example/{{ a ">';
    assert.doesNotThrow(() => placeOf(htmlContext(unclosed), unclosed, { start: 27, end: 32 }));
  });
});

describe('html context: any text', () => {
  const pieces = ['<', '>', '"', "'", '=', ' ', '/', '!--', '-->', '<a ', 'href', 'src=', 'style', 'url(', ')', '{{', '}}', '{%', '%}',
    '%%=', '=%%', '*|', '|*', '?', '#', 'https://', '<script>', '</script>', '<style>', 'x'];
  const template = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 80 }).map((parts) => parts.join(''));

  test('never throws, and every range and place lies inside the text, in order', () => {
    fc.assert(fc.property(template, fc.nat(), (text, seed) => {
      const context = htmlContext(text);
      for (let k = 0; k < context.starts.length; k++) {
        assert.ok(context.starts[k] <= context.ends[k] && context.ends[k] <= text.length);
        if (k > 0) assert.ok(context.ends[k - 1] <= context.starts[k]);
      }
      const start = text.length === 0 ? 0 : seed % text.length;
      const place = placeOf(context, text, { start, end: Math.min(text.length, start + 3) });
      if (place) assert.ok(place.value.start <= start && start < place.value.end);
    }), { seed: 18, numRuns: 500 });
  });

  test('work grows linearly with the text, on hostile shapes too (steps counted, not time)', () => {
    const shapes = ['<a href="{{', '<a href="x{{ a }}', '{{', '<!--', '<a ', '<script>', '</', '<a href=', 'url(', '%%=', '<a style="url(', '"', '*|'];
    for (const shape of shapes) {
      const small = htmlContext(shape.repeat(1_000)).steps;
      const large = htmlContext(shape.repeat(10_000)).steps;
      assert.ok(large <= 12 * small + 100, `${JSON.stringify(shape)}: ${small} steps for 1,000 copies, ${large} for 10,000`);
      assert.ok(large <= 8 * shape.length * 10_000, `${JSON.stringify(shape)}: ${large} steps for ${shape.length * 10_000} characters`);
    }
  });

  test('random text: steps stay within a constant per character', () => {
    fc.assert(fc.property(template, (text) => {
      assert.ok(htmlContext(text).steps <= 8 * text.length + 8, `${htmlContext(text).steps} steps for ${text.length} characters`);
    }), { seed: 19, numRuns: 300 });
  });
});

describe('text a tag writes in front of a value, and text without its merge tags', () => {
  const whole: HtmlPlace = { attribute: 'href', value: { start: 0, end: 10 }, part: 'whole' };

  test('the text joined in front places the value: host, path, query, fragment, with its scheme', () => {
    const part = (before: string) => { const place = placeAfterWritten(whole, before); return [place.part, place.scheme]; };
    assert.deepEqual(part('https://'), ['scheme-host', 'https']);
    assert.deepEqual(part('https://x.example'), ['scheme-host', 'https']);
    assert.deepEqual(part('https://x.example/c/'), ['path', 'https']);
    assert.deepEqual(part('https://x.example/?e='), ['query', 'https']);
    assert.deepEqual(part('https://x.example/#'), ['fragment', 'https']);
    assert.deepEqual(part('mailto:'), ['path', 'mailto']);
    assert.deepEqual(part('/c/'), ['path', undefined]);
  });

  test('elsewhere in the value, the joined text only moves the value further along', () => {
    assert.equal(placeAfterWritten({ ...whole, part: 'path' }, '?q=').part, 'query');
    assert.equal(placeAfterWritten({ ...whole, part: 'query' }, 'x/').part, 'query');
  });

  test('every dialect\'s merge tags are left out, an unclosed one to the end', () => {
    assert.equal(withoutMergeTags('{% if a %}/x{{ b }}{% endif %}?c=%%City%%&d=%%=v(@d)=%%*|E|*[[f]]'), '/x?c=&d=');
    assert.equal(withoutMergeTags('https://x/{{ broken'), 'https://x/');
    assert.equal(withoutMergeTags('100% and 20%'), '100% and 20%');
  });
});
