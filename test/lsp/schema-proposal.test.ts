/**
 * The server offers the fixes of a finding in mergewise.json itself as code actions, as it does a
 * template's: `schema-proposal`'s Confirm and Dismiss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CodeActionRequest, DiagnosticSeverity, type CodeAction } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspTestClient } from '../helpers/lsp-client';
import { workspacesRemovedAfter } from '../helpers/workspace';

const workspace = workspacesRemovedAfter();

const SCHEMA = `{
  // Written by mergewise init.
  "fields": {
    "predicted_churn_score": {
      "type": "number",
      "description": "proposed: review — source inferred (name looks like a model score)"
    }
  }
}
`;

test('a schema-proposal hint in mergewise.json offers Confirm and Dismiss as code actions', async () => {
  const root = workspace({ 'mergewise.json': SCHEMA, 'emails/welcome.liquid': 'Hi' });
  const client = new LspTestClient({ inProcess: true });
  try {
    await client.initialize(root);
    const schemaUri = await client.open(path.join(root, 'mergewise.json'), SCHEMA, 'jsonc');
    const published = await client.diagnostics(schemaUri, (p) => p.diagnostics.some((d) => d.code === 'schema-proposal'));
    const diagnostic = published.diagnostics.find((d) => d.code === 'schema-proposal')!;
    assert.equal(diagnostic.severity, DiagnosticSeverity.Hint);
    assert.equal(diagnostic.range.start.line, 5);

    const actions = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: schemaUri }, range: diagnostic.range, context: { diagnostics: [diagnostic] },
    }) as CodeAction[];
    // Neither is preferred: a proposal is for a person to confirm, and editors apply a preferred fix unasked.
    assert.deepEqual(actions.map((a) => [a.title, a.isPreferred]), [['Confirm: set "source": "inferred"', false], ['Dismiss proposal', false]]);

    const confirmed = TextDocument.applyEdits(TextDocument.create(schemaUri, 'jsonc', 1, SCHEMA), actions[0].edit!.changes![schemaUri]);
    assert.equal(confirmed, SCHEMA.replace('"description": "proposed: review — source inferred (name looks like a model score)"', '"source": "inferred"'));
  } finally {
    await client.stop();
  }
});
