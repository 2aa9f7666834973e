import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CompletionRequest, DefinitionRequest, HoverRequest, ReferencesRequest, RenameRequest,
  type CompletionList, type Hover, type Location, type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { DOCUMENT_INFO_REQUEST, type DocumentInfo, type ModuleEntry } from '../../protocol/src/requests';
import { LspTestClient, uri } from '../helpers/lsp-client';
import { workspace } from '../helpers/workspace';

/** A shop's emails built from three snippets: one with a LiquidDoc parameter, one guarded in one email only, one per cart item. */
const FILES: Record<string, string> = {
  'mergewise.json': JSON.stringify({
    dialect: 'liquid',
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there' },
      'customer.city': { type: 'string', source: 'observed' },
      'cart.items': { type: 'array', source: 'transactional', items: { fields: { title: { type: 'string', required: true } } } },
    },
  }, null, 2),
  'snippets/greeting.liquid': "{% doc %}\n  @param {string} name - what to call the recipient\n{% enddoc %}\nHi {{ name }},\n",
  'snippets/city-line.liquid': '<p>See you in {{ customer.city }}!</p>\n',
  'snippets/card.liquid': '<li>{{ item.title }}</li>\n',
  'emails/welcome.liquid':
    "{% render 'greeting', name: customer.first_name %}\n" +
    "{% if customer.city %}{% render 'city-line' %}{% endif %}\n" +
    "<ul>{% for item in cart.items %}{% render 'card', item: item %}{% endfor %}</ul>\n",
  'emails/winback.liquid':
    "{% render 'greeting', name: customer.first_name %}\n" +
    "{% render 'city-line' %}\n",
};

describe('language server: partials', () => {
  let root: string;
  let client: LspTestClient;
  let welcomeUri: string;
  const file = (relative: string) => path.join(root, ...relative.split('/'));
  const read = (relative: string) => fs.readFileSync(file(relative), 'utf8');
  const at = (line: number, character: number) => ({ textDocument: { uri: welcomeUri }, position: { line, character } });

  before(async () => {
    root = workspace(FILES);
    client = new LspTestClient({ inProcess: true });
    await client.initialize(root);
    welcomeUri = await client.open(file('emails/welcome.liquid'), read('emails/welcome.liquid'));
  });

  after(async () => {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('go to definition on an include\'s name opens the partial', async () => {
    const definition = await client.connection.sendRequest(DefinitionRequest.type, at(0, "{% render 'gre".length)) as Location;
    assert.equal(definition.uri, uri(file('snippets/greeting.liquid')));
    assert.deepEqual(definition.range.start, { line: 0, character: 0 });
  });

  test('hover on an include\'s name shows the partial, its parameters and the fields it uses', async () => {
    const hover = await client.connection.sendRequest(HoverRequest.type, at(0, "{% render 'gre".length)) as Hover;
    const markdown = (hover.contents as { value: string }).value;
    for (const expected of ['snippets/greeting.liquid', '`name` (string, required, passed): what to call the recipient', '`customer.first_name`: no fallback or guard']) {
      assert.ok(markdown.includes(expected), `hover should include ${expected}:\n${markdown}`);
    }
    const guarded = await client.connection.sendRequest(HoverRequest.type, at(1, "{% if customer.city %}{% render 'ci".length)) as Hover;
    assert.match((guarded.contents as { value: string }).value, /`customer\.city`: covered by a guarding conditional/);
  });

  test('completion in an include\'s name offers the partials; after a comma, its parameters', async () => {
    const text = `${read('emails/welcome.liquid')}{% render '`;
    const version = await client.change(welcomeUri, [{ text }]);
    await client.diagnosticsForVersion(welcomeUri, version);
    const names = await client.connection.sendRequest(CompletionRequest.type, at(3, "{% render '".length)) as CompletionList;
    assert.deepEqual(names.items.map((item) => item.label).sort(), ['card', 'city-line', 'greeting']);
    const withComma = `${read('emails/welcome.liquid')}{% render 'greeting', `;
    await client.change(welcomeUri, [{ text: withComma }]);
    const parameters = await client.connection.sendRequest(CompletionRequest.type, at(3, "{% render 'greeting', ".length)) as CompletionList;
    assert.deepEqual(parameters.items.map((item) => item.label), ['name']);
    await client.diagnosticsForVersion(welcomeUri, await client.change(welcomeUri, [{ text: read('emails/welcome.liquid') }]));
  });

  test('each "included by" link opens the tag that includes the partial', async () => {
    const cityUri = await client.open(file('snippets/city-line.liquid'), read('snippets/city-line.liquid'));
    const published = await client.diagnostics(cityUri, (p) => p.diagnostics.some((d) => d.code === 'missing-fallback'));
    const related = published.diagnostics.find((d) => d.code === 'missing-fallback')!.relatedInformation!;
    const winback = related.find((info) => info.location.uri === uri(file('emails/winback.liquid')))!;
    assert.deepEqual(winback.location.range, { start: { line: 1, character: 0 }, end: { line: 1, character: "{% render 'city-line' %}".length } });
  });

  test('a partial\'s findings name the templates that include it; editing it re-checks the open templates', async () => {
    const greetingUri = await client.open(file('snippets/greeting.liquid'), read('snippets/greeting.liquid'));
    const published = await client.diagnostics(greetingUri, (p) => p.diagnostics.some((d) => d.code === 'missing-fallback'));
    const missing = published.diagnostics.find((d) => d.code === 'missing-fallback')!;
    assert.match(missing.message as string, /welcome\.liquid/);
    assert.ok(missing.relatedInformation?.some((info) => info.location.uri === welcomeUri));
    // Every publication so far is in: the next one for the template comes from the edit of its partial.
    await client.diagnosticsForVersion(welcomeUri, client.versions.get(welcomeUri)!);
    const before = client.publications(welcomeUri);
    await client.change(greetingUri, [{ text: `${read('snippets/greeting.liquid')}{{ customer.nickname }}\n` }]);
    const edited = await client.diagnostics(greetingUri, (p) => p.diagnostics.some((d) => d.code === 'unknown-field'));
    assert.match(edited.diagnostics.find((d) => d.code === 'unknown-field')!.message as string, /customer\.nickname/);
    await client.diagnostics(welcomeUri, () => client.publications(welcomeUri) > before);
    await client.change(greetingUri, [{ text: read('snippets/greeting.liquid') }]);
    await client.close(greetingUri);
  });

  test('the status bar\'s information names the template a partial\'s values are shown through: the one last opened', async () => {
    const cityUri = await client.open(file('snippets/city-line.liquid'), read('snippets/city-line.liquid'));
    const info = () => client.connection.sendRequest<DocumentInfo>(DOCUMENT_INFO_REQUEST, { uri: cityUri });
    assert.equal((await info()).shownThrough, 'emails/welcome.liquid');
    const winbackUri = await client.open(file('emails/winback.liquid'), read('emails/winback.liquid'));
    assert.equal((await info()).shownThrough, 'emails/winback.liquid');
    await client.close(winbackUri);
    // A template that nothing includes is shown as itself.
    assert.equal((await client.connection.sendRequest<DocumentInfo>(DOCUMENT_INFO_REQUEST, { uri: welcomeUri })).shownThrough, undefined);
  });

  test('references to a field include its uses inside partials, directly and through a parameter', async () => {
    const references = async (line: number, character: number) => (await client.connection.sendRequest(ReferencesRequest.type, {
      ...at(line, character), context: { includeDeclaration: false },
    }) as Location[]).map((r) => `${path.relative(root, new URL(r.uri).pathname)}:${r.range.start.line}`).sort();
    assert.deepEqual(await references(1, '{% if custo'.length), ['emails/welcome.liquid:1', 'snippets/city-line.liquid:0']);
    assert.deepEqual(await references(0, "{% render 'greeting', name: custo".length),
      ['emails/welcome.liquid:0', 'emails/winback.liquid:0', 'snippets/greeting.liquid:3']);
  });

  test('renaming a field edits the arguments callers pass, not the name a partial reads it under', async () => {
    const renamed = await client.connection.sendRequest(RenameRequest.type, {
      ...at(0, "{% render 'greeting', name: custo".length), newName: 'customer.given_name',
    }) as WorkspaceEdit;
    const changes = renamed.changes!;
    assert.deepEqual(changes[welcomeUri].map((edit) => edit.newText), ['customer.given_name']);
    assert.deepEqual(changes[uri(file('emails/winback.liquid'))].map((edit) => edit.newText), ['customer.given_name']);
    assert.equal(changes[uri(file('snippets/greeting.liquid'))], undefined);
  });

  test('the modules request lists each partial, who includes it, and whether its fields are covered in each', async () => {
    const modules = await client.connection.sendRequest('mergewise/modules', {}) as ModuleEntry[];
    assert.deepEqual(modules.map((m) => m.shown), ['snippets/card.liquid', 'snippets/city-line.liquid', 'snippets/greeting.liquid']);
    const cityLine = modules.find((m) => m.shown === 'snippets/city-line.liquid')!;
    assert.deepEqual(cityLine.includedBy, [file('emails/welcome.liquid'), file('emails/winback.liquid')]);
    assert.deepEqual(cityLine.fields, [{
      field: 'customer.city',
      covered: false,
      templates: [{ file: file('emails/welcome.liquid'), covered: true }, { file: file('emails/winback.liquid'), covered: false }],
    }]);
    const card = modules.find((m) => m.shown === 'snippets/card.liquid')!;
    assert.deepEqual(card.fields.map((f) => [f.field, f.covered]), [['cart.items[].title', true]]);
  });
});
