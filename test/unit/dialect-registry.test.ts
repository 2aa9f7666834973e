/** The registry: every dialect id has its dialect, and what each dialect owns (extensions, signature, delimiters) is read from it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECT_IDS } from '../../server/src/core/dialects/ids';
import {
  DEDICATED_TEMPLATE_EXTENSIONS, detectDialect, dialectForExtension, getDialect, implementedDialects, RAW_MERGE_SYNTAX, TAG_OPENERS,
} from '../../server/src/core/dialects/registry';

test('every dialect id has its dialect, under that id', () => {
  assert.deepEqual(implementedDialects().map((dialect) => dialect.id).sort(), [...DIALECT_IDS].sort());
  for (const id of DIALECT_IDS) assert.equal(getDialect(id).id, id);
});

test('each extension belongs to one dialect, which reads it; other extensions to none', () => {
  const owners = implementedDialects().flatMap((dialect) => dialect.syntax.extensions.map((extension) => [extension, dialect.id]));
  assert.equal(new Set(owners.map(([extension]) => extension)).size, owners.length, 'no extension is claimed twice');
  for (const [extension, id] of owners) assert.equal(dialectForExtension(extension.toUpperCase()), id);
  assert.deepEqual([...DEDICATED_TEMPLATE_EXTENSIONS].sort(), owners.map(([extension]) => extension).sort());
  assert.equal(dialectForExtension('.html'), undefined);
});

test('each dialect\'s openers are raw merge syntax in a rendering, and completion reads them', () => {
  for (const dialect of implementedDialects()) {
    for (const opener of dialect.syntax.openers) {
      assert.ok(TAG_OPENERS.includes(opener), `${dialect.id}: ${opener}`);
      if (opener === '%%' || opener === '*|') continue; // Only whole tags (`%%=`, `*|NAME|*`) count as raw syntax.
      RAW_MERGE_SYNTAX.lastIndex = 0;
      assert.ok(RAW_MERGE_SYNTAX.test(`${opener} x`), `${dialect.id}: ${opener}`);
    }
  }
  RAW_MERGE_SYNTAX.lastIndex = 0;
  assert.ok(RAW_MERGE_SYNTAX.test('Hi *|FNAME|*'));
});

test('content is recognised most specific first: a Liquid tag is Liquid, a Handlebars block Handlebars; a plain output tells nothing', () => {
  assert.equal(detectDialect('{% if first_name %}Hi {{ first_name }}{% endif %}'), 'liquid');
  // Every braces dialect writes `{{ x }}`: such a file is Liquid by default (or its includers' dialect).
  assert.equal(detectDialect('Hi {{ first_name }}'), undefined);
  assert.equal(detectDialect('Hi {{ customer.first_name | default: "there" }}'), 'liquid', 'a filter is no Handlebars');
  assert.equal(detectDialect('{{#each items as |item|}}{{item}}{{/each}}'), 'handlebars');
  assert.equal(detectDialect('{{#if first_name}}Hi{{/if}}'), 'handlebars');
  assert.equal(detectDialect('%%[ SET @a = 1 ]%% {{ x }}'), 'ampscript');
  assert.equal(detectDialect('plain text'), undefined);
});

test('a triple-stash is Handlebars (Liquid has none); SendGrid\'s unsubscribe tags are SendGrid', () => {
  assert.equal(detectDialect('<a href="{{{c2a_link}}}">{{c2a_button}}</a>'), 'handlebars');
  assert.equal(detectDialect('<a href="{{{ url }}}">Go</a>'), 'handlebars');
  // SendGrid's dynamic templates, as its own examples end: the unsubscribe group's substitution tag.
  assert.equal(detectDialect('<p>{{header}}</p><a href="<%asm_global_unsubscribe_raw_url%>">Unsubscribe</a>'), 'sendgrid');
  assert.equal(detectDialect('<p>Hi {{name}}</p><a href="{{{unsubscribe}}}">Unsubscribe</a>'), 'sendgrid');
  // A brace beside a tag in CSS or text is no triple-stash.
  assert.equal(detectDialect('<style>a{ color: red }</style><p>{ {{ name }} }</p>'), undefined);
});
