/**
 * Where a template keeps its subject line and preheader (core/inbox-lines.ts): front matter,
 * `<title>`, the hidden preheader block; and what is not one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findInboxLines, lineWithout } from '../../server/src/core/inbox-lines';

/** Each line as [kind, source, text]. */
function lines(text: string): [string, string, string][] {
  return findInboxLines(text).map((line) => [line.kind, line.source, text.slice(line.span.start, line.span.end)]);
}

describe('inbox lines: where they are found', () => {
  test('front matter at the start: subject and preheader, quoted or not', () => {
    assert.deepEqual(lines('---\nsubject: "Welcome, {{ customer.first_name }}"\npreheader: Your account is ready\nlayout: main\n---\n<p>Hi</p>'), [
      ['subject', 'front matter', 'Welcome, {{ customer.first_name }}'],
      ['preheader', 'front matter', 'Your account is ready'],
    ]);
    assert.deepEqual(lines('\uFEFF---\r\nsubject: \'Hi {{ name }}\'\r\npreview: Soon\r\n---\r\nBody'), [
      ['subject', 'front matter', 'Hi {{ name }}'],
      ['preheader', 'front matter', 'Soon'],
    ]);
  });

  test('front matter that is never closed, or not at the start, is not front matter', () => {
    assert.deepEqual(lines('---\nsubject: Hi {{ name }}\n<p>Body</p>'), []);
    assert.deepEqual(lines('<p>Body</p>\n---\nsubject: Hi\n---\n'), []);
  });

  test('<title> is the subject, in any case, with attributes', () => {
    assert.deepEqual(lines('<html><head><TITLE lang="en">Welcome, {{ customer.first_name }}</Title></head><body><p>Hi</p></body></html>'), [
      ['subject', 'title', 'Welcome, {{ customer.first_name }}'],
    ]);
  });

  test('the hidden block before any visible text of the body is the preheader', () => {
    const text = `<html><head><title>Hi</title><style>div { display:none }</style></head>
<body style="margin:0">
<!--[if mso]><table><tr><td><![endif]-->
{% if customer.plan %}<div style="display: none; max-height: 0px; overflow: hidden;">Your {{ customer.plan }} plan <div>nested</div> renews soon&nbsp;&zwnj;</div>{% endif %}
<p>Visible</p><div style="display:none">a mobile-only block</div></body></html>`;
    assert.deepEqual(lines(text), [
      ['subject', 'title', 'Hi'],
      ['preheader', 'preheader block', 'Your {{ customer.plan }} plan <div>nested</div> renews soon&nbsp;&zwnj;'],
    ]);
  });

  test('each hiding style counts: max-height:0, opacity:0, mso-hide:all', () => {
    for (const style of ['max-height:0;overflow:hidden', 'opacity: 0', 'mso-hide: all', 'DISPLAY:NONE !important']) {
      assert.deepEqual(lines(`<body><span style="${style}">Pre</span><p>Body</p></body>`), [['preheader', 'preheader block', 'Pre']], style);
    }
    assert.deepEqual(lines('<body><span style="opacity:0.5">Pre</span></body>'), []);
    assert.deepEqual(lines('<body><span style="max-height:0.5em">Pre</span></body>'), []);
  });

  test('a hidden block after visible text is not the preheader', () => {
    assert.deepEqual(lines('<body><p>Hello {{ name }}</p><div style="display:none">mobile only</div></body>'), []);
    assert.deepEqual(lines('<body>{{ name }}<div style="display:none">after output</div></body>'), []);
  });

  test('class or id naming a preheader or preview, anywhere in the body, on any element', () => {
    assert.deepEqual(lines('<body><p>Top</p><table><tr><td class="email-preheader" style="color:#fff">Pre {{ x }}</td></tr></table></body>'), [
      ['preheader', 'preheader block', 'Pre {{ x }}'],
    ]);
    assert.deepEqual(lines('<body><div id=preview-text>Pre</div></body>'), [['preheader', 'preheader block', 'Pre']]);
  });

  test('without <body>, the whole text is the body', () => {
    assert.deepEqual(lines('<span class="preheader">Pre</span><p>Body</p>'), [['preheader', 'preheader block', 'Pre']]);
  });

  test('merge tags inside a tag, with their own quotes and angle brackets, do not end it', () => {
    assert.deepEqual(lines('<body><div {% if a > b %}class="x"{% endif %} style="display:none">Pre</div></body>'), [
      ['preheader', 'preheader block', 'Pre'],
    ]);
  });

  test('template comments are skipped: a <title> named in one is not the subject', () => {
    const text = '{% comment %}The subject is the <title>; the preheader is the hidden <div>.{% endcomment %}\n{{!-- <title>old</title> --}}{# <title>x</title> #}<title>Real {{ name }}</title>';
    assert.deepEqual(lines(text), [['subject', 'title', 'Real {{ name }}']]);
  });

  test('only the first title and the first preheader', () => {
    assert.deepEqual(lines('<title>A</title><title>B</title><body><span class="preheader">P</span><span class="preheader">Q</span></body>').map((l) => l[2]), ['A', 'P']);
  });

  test('plain text, broken markup and unclosed things find nothing and end', () => {
    for (const text of ['', 'Hi {{ name }}', '<title>never closed', '<body><div style="display:none', '1 < 2 and <', '<!-- open', '{% comment %} open', '<div class="preheader">open']) {
      assert.ok(Array.isArray(findInboxLines(text)), text);
    }
    assert.deepEqual(lines('<body><div class="preheader">never closed'), []);
  });

  test('one pass: a large template with many tags is read once (linear, no timing)', () => {
    // Thousands of unclosed quotes, comments and tags would make a pass that searches again quadratic;
    // this only checks the result on large inputs, the fuzz tests time the scanners.
    const big = '<body>' + '<div style="display:none">x</div><p>{{ a }}</p><span class="pre'.repeat(20_000);
    assert.deepEqual(findInboxLines(big).map((line) => line.kind), ['preheader']);
  });
});

describe('inbox lines: what the inbox would show', () => {
  test('the line without the merge tag, markup and spacer entities dropped', () => {
    const text = '<title>Welcome, {{ customer.first_name }}</title>';
    const [line] = findInboxLines(text);
    const tag = text.indexOf('{{');
    assert.equal(lineWithout(text, line, { start: tag, end: text.indexOf('}}') + 2 }), 'Welcome, ');
    const pre = '<body><div style="display:none">{{ x }}, <b>your</b> plan&nbsp;&zwnj;&nbsp;&zwnj;</div></body>';
    const [preheader] = findInboxLines(pre);
    assert.equal(lineWithout(pre, preheader, { start: pre.indexOf('{{'), end: pre.indexOf('}}') + 2 }), ', your plan ');
  });

  test('the other merge tags of the line: … for a value (each recipient\'s own), nothing for a tag that shows none', () => {
    const shownWithout = (text: string, tag: string) => {
      const [line] = findInboxLines(text);
      return lineWithout(text, line, { start: text.indexOf(tag), end: text.indexOf(tag) + tag.length });
    };
    assert.equal(shownWithout('<title>Hi {{ first_name | default: "there" }}, order {{ order_id }} shipped{% if x %}!{% endif %}</title>', '{{ order_id }}'), 'Hi …, order shipped!');
    assert.equal(shownWithout('<title>{{#if first_name}}Hi {{first_name}}{{/if}}{{!-- c --}} order {{order_id}}</title>', '{{order_id}}'), 'Hi … order ');
    assert.equal(shownWithout('<title>*|IF:FNAME|*Hi *|FNAME|**|END:IF|* from %%Company%%: *|ORDER|*</title>', '*|ORDER|*'), 'Hi … from …: ');
  });
});
