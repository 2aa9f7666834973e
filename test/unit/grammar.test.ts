import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INITIAL, Registry, parseRawGrammar, type IGrammar } from 'vscode-textmate';
import { loadWASM, OnigScanner, OnigString } from 'vscode-oniguruma';

const ROOT = path.resolve(__dirname, '../..');
const INJECTION = 'mergewise.merge-tags.injection';

/** The real injection grammar on a stand-in for VS Code's HTML and plain-text grammars. */
async function grammarFor(scopeName: string): Promise<IGrammar> {
  await loadWASM(fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer);
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (sources) => new OnigScanner(sources), createOnigString: (text) => new OnigString(text) }),
    loadGrammar: async (scope) => {
      if (scope === INJECTION) {
        const file = path.join(ROOT, 'syntaxes/merge-tags.injection.tmLanguage.json');
        return parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
      }
      return parseRawGrammar(JSON.stringify({ scopeName: scope, patterns: [] }), `${scope}.json`);
    },
    getInjections: (scope) => (scope === 'text.html.basic' || scope === 'text.plain' ? [INJECTION] : undefined),
  });
  return (await registry.loadGrammar(scopeName)) as IGrammar;
}

function scopesOf(grammar: IGrammar, line: string, piece: string): string[] {
  const { tokens } = grammar.tokenizeLine(line, INITIAL);
  const at = line.indexOf(piece);
  const token = tokens.find((t) => t.startIndex <= at && at < t.endIndex);
  return token?.scopes ?? [];
}

test('merge tags are highlighted inside HTML: fields, filters, strings and tag keywords', async () => {
  const html = await grammarFor('text.html.basic');
  const line = '<p>Hi {{ customer.first_name | default: "there" }}</p>{% if customer.city %}';
  assert.ok(scopesOf(html, line, 'customer.first_name').includes('variable.other.merge-field'));
  assert.ok(scopesOf(html, line, 'default').includes('entity.name.function.filter.merge-tag'));
  assert.ok(scopesOf(html, line, '"there"').includes('string.quoted.double.merge-tag'));
  assert.ok(scopesOf(html, line, 'if').some((s) => s.startsWith('keyword.control')));
  assert.ok(!scopesOf(html, line, '<p>').some((s) => s.includes('merge-tag')), 'plain HTML is left alone');
});

test('other platforms\' tags are highlighted in plain-text templates', async () => {
  const text = await grammarFor('text.plain');
  const line = 'Hi *|FNAME|*, %%=v(@city)=%% {{lead.First Name:default=there}}';
  assert.ok(scopesOf(text, line, 'FNAME').includes('variable.other.merge-field.mailchimp'));
  assert.ok(scopesOf(text, line, '@city').includes('variable.other.ampscript'));
  assert.ok(scopesOf(text, line, 'lead.First').some((s) => s.includes('merge-tag.output')));
});

test('Liquid comments are comments, not merge fields', async () => {
  const html = await grammarFor('text.html.basic');
  const line = '{% comment %}{{ customer.first_name }}{% endcomment %}';
  assert.ok(scopesOf(html, line, 'customer.first_name').includes('comment.block.liquid'));
});
