/**
 * The language server's features on an in-memory workspace, with the cursor marked in the source
 * text (`{{ cust█ }}`). The protocol itself is tested against the real server in test/lsp/.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { CompletionItem, TextEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { WorkspaceFileSystem } from '../../server/src/core/workspace';
import { memoryFs } from '../helpers/memory-fs';
import { completionContextAt } from '../../server/src/core/query';
import { codeActions, FIX_ALL_KIND } from '../../server/src/lsp/features/code-actions';
import { completion } from '../../server/src/lsp/features/completion';
import { hover } from '../../server/src/lsp/features/hover';
import { inlayHints } from '../../server/src/lsp/features/inlay-hints';
import { toLspDiagnostic, pathToUri, RELATED_TEMPLATES_SHOWN } from '../../server/src/lsp/convert';
import { clientFeatures } from '../../server/src/lsp/client-features';
import { Project } from '../../server/src/lsp/project';
import { SMALL_WORKSPACE } from '../helpers/lsp-workspace';
import { NOW } from '../helpers/schema';
import { cursor } from '../helpers/cursor';

const ROOT = '/workspace';
/** What VS Code says it can do, as far as these features ask. */
const VS_CODE = clientFeatures({
  textDocument: {
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
  },
});
/** A client that says nothing of what it can do: plain text, no snippets. */
const MINIMAL = clientFeatures({});

/** The workspace's files in memory, named relative to ROOT. */
function workspaceFs(files: Record<string, string>): WorkspaceFileSystem {
  return memoryFs(Object.fromEntries(Object.entries(files).map(([file, text]) => [path.join(ROOT, file), text])));
}

/** A project with one open template whose cursor is marked with █. */
function openAt(source: string, file = 'emails/draft.liquid') {
  const { text, offset } = cursor(source);
  const document = TextDocument.create(pathToUri(path.join(ROOT, file)), 'liquid', 1, text);
  const project = new Project(workspaceFs(SMALL_WORKSPACE), () => [document], () => NOW);
  return { project, document, position: document.positionAt(offset), offset, text };
}

function labels(items: CompletionItem[] | undefined): string[] {
  return (items ?? []).map((item) => item.label);
}

describe('completion context', () => {
  const at = (source: string) => {
    const { text, offset } = cursor(source);
    return completionContextAt(text, offset);
  };

  test('a field after `{{ `, with what is typed so far', () => {
    assert.deepEqual(at('Hi {{ customer.fi█ }}'), { kind: 'field', prefix: 'customer.fi', span: { start: 6, end: 17 }, inOutput: true });
  });

  test('a filter after `|`, a tag after `{% `', () => {
    assert.equal(at('{{ customer.city | def█ }}')?.kind, 'filter');
    assert.equal(at('{% i█ %}')?.kind, 'tag');
  });

  test('a field in a condition is not offered with a fallback', () => {
    assert.deepEqual(at('{% if customer.c█ %}'), { kind: 'field', prefix: 'customer.c', span: { start: 6, end: 16 }, inOutput: false });
  });

  test('nothing outside merge tags, or after a closed one', () => {
    assert.equal(at('Hello cust█omer'), undefined);
    assert.equal(at('{{ customer.city }} and █'), undefined);
  });
});

describe('completion', () => {
  test('fields under the typed namespace, with the schema fallback as a snippet in outputs', () => {
    const { project, document, position } = openAt('Hi {{ customer.█ }}');
    const items = completion(project, document, position, VS_CODE)?.items ?? [];
    assert.deepEqual(labels(items).sort(), ['customer.city', 'customer.favorite_service', 'customer.first_name']);
    const firstName = items.find((item) => item.label === 'customer.first_name')!;
    assert.equal((firstName.textEdit as TextEdit).newText, "customer.first_name | default: 'there'$0");
    assert.match(String((firstName.documentation as { value: string }).value), /First name as typed at sign-up/);
  });

  test('inside a loop, the loop variable and its item fields', () => {
    const { project, document, position } = openAt('{% for item in cart.items %}{{ it█ }}{% endfor %}');
    const items = labels(completion(project, document, position, VS_CODE)?.items);
    assert.ok(items.includes('item'));
    assert.ok(items.includes('item.title'));
  });

  test('Handlebars block helpers right after `{{` write their `#`; after `{{#` they do not repeat it', () => {
    const files = { ...SMALL_WORKSPACE, 'mergewise.json': JSON.stringify({ ...JSON.parse(SMALL_WORKSPACE['mergewise.json']), dialect: 'handlebars' }) };
    const insertOf = (source: string) => {
      const { text, offset } = cursor(source);
      const document = TextDocument.create(pathToUri(path.join(ROOT, 'emails/draft.hbs')), 'handlebars', 1, text);
      const project = new Project(workspaceFs(files), () => [document], () => NOW);
      const position = document.positionAt(offset);
      const items = completion(project, document, position, VS_CODE)?.items ?? [];
      const item = items.find((candidate) => candidate.label === 'if');
      assert.ok(item, `if expected in ${labels(items).join(', ')}`);
      return (item.textEdit as TextEdit).newText;
    };
    assert.match(insertOf('<p>{{█</p>'), /^#if .*\{\{\/if\}\}$/);
    assert.match(insertOf('<p>{{#█}}</p>'), /^if .*\{\{\/if$/);
  });

  test('inside a Handlebars `each` being typed, the item\'s fields by their names alone, with `this.` and by the block param', () => {
    const files = { ...SMALL_WORKSPACE, 'mergewise.json': JSON.stringify({ ...JSON.parse(SMALL_WORKSPACE['mergewise.json']), dialect: 'handlebars' }) };
    const labelsAt = (source: string) => {
      const { text, offset } = cursor(source);
      const document = TextDocument.create(pathToUri(path.join(ROOT, 'emails/draft.hbs')), 'handlebars', 1, text);
      const project = new Project(workspaceFs(files), () => [document], () => NOW);
      return labels(completion(project, document, document.positionAt(offset), VS_CODE)?.items);
    };
    const open = labelsAt('{{#each cart.items}}<p>{{█');
    assert.ok(open.includes('title') && open.includes('this.title'), open.join(', '));
    assert.ok(labelsAt('{{#each cart.items as |it|}}{{it.█}}{{/each}}').includes('it.title'));
    assert.ok(!labelsAt('<p>{{█}}</p>').includes('title'), 'outside the loop, no item field');
  });

  test('a tag completed where the editor did not close `{%` closes itself; one already closed is left as it is', () => {
    const insertOf = (source: string, label: string) => {
      const { project, document, position } = openAt(source);
      const item = completion(project, document, position, VS_CODE)?.items.find((candidate) => candidate.label === label);
      assert.ok(item, `${label} expected`);
      return (item.textEdit as TextEdit).newText;
    };
    assert.match(insertOf('<p>{% █</p>', 'if'), /^if .* %\}\$0\{% endif %\}$/);
    assert.match(insertOf('<p>{% █</p>', 'assign'), / %\}$/);
    assert.match(insertOf('<p>{% █ %}</p>', 'if'), /\{% endif$/);
  });

  test('the dialect\'s filters after `|`', () => {
    const { project, document, position } = openAt('{{ customer.city | █ }}');
    assert.ok(labels(completion(project, document, position, VS_CODE)?.items).includes('default'));
  });
});

describe('an untyped field (no "type" in mergewise.json)', () => {
  const files = { ...SMALL_WORKSPACE, 'mergewise.json': JSON.stringify({ dialect: 'liquid', fields: { 'customer.vip': { description: 'VIP flag' } } }) };
  function openUntyped(source: string) {
    const { text, offset } = cursor(source);
    const document = TextDocument.create(pathToUri(path.join(ROOT, 'emails/draft.liquid')), 'liquid', 1, text);
    return { project: new Project(workspaceFs(files), () => [document], () => NOW), document, position: document.positionAt(offset) };
  }

  test('completion and hover say the type is not declared', () => {
    const completed = openUntyped('{{ customer.█ }}');
    const vip = completion(completed.project, completed.document, completed.position, VS_CODE)!.items.find((item) => item.label === 'customer.vip')!;
    assert.match(vip.detail ?? '', /^type not declared/);
    const hovered = openUntyped('{% if customer.v█ip %}VIP{% endif %}');
    const value = (hover(hovered.project, hovered.document, hovered.position, VS_CODE)!.contents as { value: string }).value;
    assert.match(value, /\*\*customer\.vip\*\* · type not declared/);
    assert.doesNotMatch(value, /undefined/);
  });
});

describe('for a client without snippets or markdown', () => {
  test('a field with a fallback is inserted as plain text, with no tab stop left in the template', () => {
    const { project, document, position } = openAt('Hi {{ customer.█ }}');
    const firstName = completion(project, document, position, MINIMAL)!.items.find((item) => item.label === 'customer.first_name')!;
    assert.equal((firstName.textEdit as TextEdit).newText, "customer.first_name | default: 'there'");
    assert.equal(firstName.insertTextFormat, 1, 'InsertTextFormat.PlainText');
    assert.equal(firstName.filterText, undefined, 'a filterText made Neovim repeat the typed prefix');
    assert.deepEqual(firstName.documentation && { kind: (firstName.documentation as { kind: string }).kind }, { kind: 'plaintext' });
  });

  test('a helper\'s snippet keeps its placeholders\' text and loses its tab stops', () => {
    const { text, offset } = cursor('{{█}}');
    const document = TextDocument.create(pathToUri(path.join(ROOT, 'emails/receipt.hbs')), 'handlebars', 1, text);
    const files = { ...SMALL_WORKSPACE, 'mergewise.json': SMALL_WORKSPACE['mergewise.json'].replace('"dialect": "liquid"', '"dialect": "sendgrid"') };
    const project = new Project(workspaceFs(files), () => [document], () => NOW);
    const items = completion(project, document, document.positionAt(offset), MINIMAL)!.items;
    const snippets = items.filter((item) => /\$\d|\$\{/.test((item.textEdit as TextEdit).newText));
    assert.deepEqual(snippets.map((item) => item.label), []);
    const insert = items.find((item) => item.label === 'insert');
    assert.equal((insert?.textEdit as TextEdit | undefined)?.newText, 'insert field "default=fallback"');
    const equals = items.find((item) => item.label === 'equals');
    assert.equal((equals?.textEdit as TextEdit | undefined)?.newText, '#equals field "value"}}{{/equals');
    assert.ok(items.every((item) => item.insertTextFormat !== 2), 'no item is a snippet');
  });

  test('hover is plain text: no bold, no code spans, tables as lines', () => {
    const { project, document, position } = openAt('{{ customer.first█_name }}');
    const contents = hover(project, document, position, MINIMAL)!.contents as { kind: string; value: string };
    assert.equal(contents.kind, 'plaintext');
    assert.match(contents.value, /^customer\.first_name · string/);
    assert.doesNotMatch(contents.value, /\*\*|`|\| --- \|/);
    assert.match(contents.value, /^Ana: /m);
  });
});

describe('hover', () => {
  test('an unknown field names the closest known ones', () => {
    const { project, document, position } = openAt('{{ customer.frist█_name }}');
    const value = (hover(project, document, position, VS_CODE)?.contents as { value: string }).value;
    assert.match(value, /not in mergewise\.json/);
    assert.match(value, /`customer\.first_name`/);
  });

  test('no hover away from merge fields', () => {
    const { project, document, position } = openAt('Hel█lo {{ customer.city }}');
    assert.equal(hover(project, document, position, VS_CODE), null);
  });
});

describe('code actions', () => {
  function actionsFor(source: string, rule: string) {
    const { project, document, text } = openAt(source);
    const state = project.stateOf(document);
    assert.equal(state.kind, 'template');
    if (state.kind !== 'template') throw new Error('not a template');
    const diagnostics = state.result.analysis.diagnostics.filter((d) => d.rule === rule).map((d) => toLspDiagnostic(d, state.lines));
    const actions = codeActions(project, document, { textDocument: { uri: document.uri }, range: diagnostics[0].range, context: { diagnostics } });
    return { actions, apply: (edits: TextEdit[]) => TextDocument.applyEdits(TextDocument.create('x', 'liquid', 1, text), edits), document };
  }

  test('an unknown field is replaced by the closest known one, in the loop variable\'s own terms', () => {
    const { actions, apply, document } = actionsFor('{% for item in cart.items %}{{ item.titel█ }}{% endfor %}', 'unknown-field');
    const change = actions.find((a) => a.title === 'Change to item.title');
    assert.ok(change, `got ${actions.map((a) => a.title)}`);
    assert.equal(apply(change.edit!.changes![document.uri]), '{% for item in cart.items %}{{ item.title }}{% endfor %}');
  });

  test('a client that does not send the diagnostic\'s data back still gets the schema\'s fallback', () => {
    const { project, document, text } = openAt('{{ customer.first_name█ }}');
    const state = project.stateOf(document);
    if (state.kind !== 'template') throw new Error('not a template');
    const diagnostics = state.result.analysis.diagnostics.filter((d) => d.rule === 'missing-fallback')
      .map((d) => ({ ...toLspDiagnostic(d, state.lines), data: undefined }));
    const actions = codeActions(project, document, { textDocument: { uri: document.uri }, range: diagnostics[0].range, context: { diagnostics } });
    const fix = actions.find((a) => a.title === 'Add fallback "there"');
    assert.ok(fix, `got ${actions.map((a) => a.title)}`);
    assert.equal(TextDocument.applyEdits(TextDocument.create('x', 'liquid', 1, text), fix.edit!.changes![document.uri]), "{{ customer.first_name | default: 'there' }}");
  });

  test('a field with no fallback in the schema gets a placeholder to fill in', () => {
    const { actions, apply, document } = actionsFor('{{ customer.city█ }}', 'missing-fallback');
    const fix = actions.find((a) => a.title === 'Add a fallback placeholder to fill in')!;
    assert.equal(apply(fix.edit!.changes![document.uri]), "{{ customer.city | default: 'FALLBACK' }}");
  });

  test('unexpected data can be covered by a purpose that lists it, with a directive comment', () => {
    const { actions, apply, document } = actionsFor("{{ customer.favorite_service█ | default: 'a cut' }}", 'quadrant-unexpected-unhelpful');
    const cover = actions.find((a) => a.title.startsWith('Cover with purpose "winback"'))!;
    assert.match(apply(cover.edit!.changes![document.uri]), /^\{% comment %\}mergewise purpose: winback\{% endcomment %\}\n\{\{ customer\.favorite_service/);
  });

  test('fix all adds every fallback the schema gives, in one edit, and no placeholder a recipient would read', () => {
    const { project, document } = openAt('{{ customer.first_name█ }} {{ customer.city }} {{ customer.first_name }}');
    const [fixAll] = codeActions(project, document, {
      textDocument: { uri: document.uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: [FIX_ALL_KIND] },
    });
    const text = TextDocument.applyEdits(document, fixAll.edit!.changes![document.uri]);
    assert.equal(text, "{{ customer.first_name | default: 'there' }} {{ customer.city }} {{ customer.first_name | default: 'there' }}");
    assert.equal(fixAll.title, 'Apply all 2 safe fixes in this file');
  });
});

describe('inlay hints', () => {
  test('inside a conditional that needs the value, a recipient without it sees nothing there, not a blank', () => {
    const { project, document } = openAt('{% if customer.city %}In {{ customer.city }}{% endif %} Hi {{ customer.first_name }}█');
    const schema = project.schemas.schemaFor(path.join(ROOT, 'emails/draft.liquid'))!.result!.schema;
    assert.equal(project.setActiveRecipient(schema, 'Ben'), true);
    const hints = inlayHints(project, document, { start: { line: 0, character: 0 }, end: document.positionAt(document.getText().length) });
    assert.deepEqual(hints.map((hint) => hint.label), ['→ not shown (condition false)', '→ blank']);
  });
});

describe('completion in other dialects', () => {
  test('Handlebars helpers are offered right after `{{`, beside the fields', () => {
    const { text, offset } = cursor('{{█}}');
    const document = TextDocument.create(pathToUri(path.join(ROOT, 'emails/receipt.hbs')), 'handlebars', 1, text);
    const files = { ...SMALL_WORKSPACE, 'mergewise.json': SMALL_WORKSPACE['mergewise.json'].replace('"dialect": "liquid"', '"dialect": "sendgrid"') };
    const project = new Project(workspaceFs(files), () => [document], () => NOW);
    const items = labels(completion(project, document, document.positionAt(offset), VS_CODE)?.items);
    for (const expected of ['insert', 'formatDate', 'customer.first_name']) assert.ok(items.includes(expected), `${expected} in ${items.join(', ')}`);
  });

  test('Liquid keeps filters after `|` and tags after `{%`, not after `{{`', () => {
    const { project, document, position } = openAt('{{ █ }}');
    const items = labels(completion(project, document, position, VS_CODE)?.items);
    assert.ok(!items.includes('default') && !items.includes('if'), items.join(', '));
  });
});

describe('a finding in a partial, as the editor gets it', () => {
  test('names the first 20 including templates as related information; the message gives the count', async () => {
    const { LineIndex } = await import('../../server/src/core/positions');
    const includedBy = Array.from({ length: 2000 }, (_, i) => `/w/emails/${String(i).padStart(4, '0')}.liquid`);
    const lsp = toLspDiagnostic({
      rule: 'missing-fallback', severity: 'warning', span: { start: 3, end: 9 }, field: 'customer.first_name', includedBy,
      message: 'No fallback (in all 2000 templates that include it: 0000.liquid, 0001.liquid, 0002.liquid, and 1997 more)',
    }, new LineIndex('Hi {{ name }}'));
    assert.equal(lsp.relatedInformation?.length, RELATED_TEMPLATES_SHOWN);
    assert.deepEqual(lsp.relatedInformation?.map((info) => info.location.uri), includedBy.slice(0, 20).map(pathToUri));
    assert.match(String(lsp.message), /all 2000 templates/);
  });
});
