/// <reference types="mocha" />
/**
 * The extension in a real VS Code's extension host: activation, diagnostics on an example template,
 * completion of schema fields, the fallback quick fix, inlay hints and the preview.
 * Run with `npm run test:electron` on a machine that can download VS Code.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  EXTENSION_ID, activate, codeOf, completionLabel, diagnosticWithCode, eventually, labelOf, open,
} from './helpers';

const TEMPLATE = ['emails', 'drafts', 'loyalty-update.liquid'];

suite('Mergewise in the extension host', () => {
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.files.revertAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('activates', async () => {
    const extension = await activate();
    assert.equal(extension.id, EXTENSION_ID);
    assert.ok(extension.isActive);
    const commands = await vscode.commands.getCommands(true);
    for (const command of ['mergewise.selectRecipient', 'mergewise.showQuadrants']) {
      assert.ok(commands.includes(command), `${command} is registered`);
    }
  });

  test('reports the missing fallback in an example template', async () => {
    const editor = await open(...TEMPLATE);
    const diagnostic = await diagnosticWithCode(editor.document.uri, 'missing-fallback');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error, 'examples/mergewise.json raises missing-fallback to an error');
    assert.equal(diagnostic.range.start.line, 16);
    assert.match(diagnostic.message, /customer\.first_name/);
    assert.equal(editor.document.getText(diagnostic.range).includes('customer.first_name'), true);
  });

  test('completes schema fields after {{ customer.', async () => {
    const editor = await open(...TEMPLATE);
    const line = editor.document.lineAt(16);
    await editor.edit((edit) => edit.insert(line.range.end, '\n{{ customer.'));
    const position = new vscode.Position(17, '{{ customer.'.length);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider', editor.document.uri, position, '.');
    const labels = list.items.map(completionLabel);
    for (const field of ['first_name', 'email', 'plan']) {
      assert.ok(labels.some((label) => label.endsWith(field)), `${field} is offered: ${labels.join(', ')}`);
    }
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.ok(!editor.document.getText().includes('{{ customer.\n'), 'the file is back as it was');
  });

  test('the "Add fallback" quick fix changes the text', async () => {
    const editor = await open(...TEMPLATE);
    const diagnostic = await diagnosticWithCode(editor.document.uri, 'missing-fallback');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider', editor.document.uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((action) => action.title === 'Add fallback "there"');
    assert.ok(fix?.edit, `the fix is offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(editor.document.lineAt(16).text, /Hi \{\{ customer\.first_name \| default: 'there' \}\},/);
    await eventually('the missing-fallback diagnostic to go away',
      () => (vscode.languages.getDiagnostics(editor.document.uri).some((d) => codeOf(d) === 'missing-fallback') ? undefined : true));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('shows what the sample recipient sees as inlay hints', async () => {
    const editor = await open(...TEMPLATE);
    const range = new vscode.Range(0, 0, editor.document.lineCount, 0);
    const hints = await eventually('inlay hints', async () => {
      const found = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', editor.document.uri, range);
      return found.length > 0 ? found : undefined;
    });
    const firstName = hints.find((hint) => hint.position.line === 16);
    assert.ok(firstName, `a hint on line 17: ${hints.map(labelOf).join(', ')}`);
    // The first sample recipient (Ana, complete profile) is active by default.
    assert.equal(labelOf(firstName), '→ Ana');
  });

  test('opens the preview', async function () {
    await open(...TEMPLATE);
    await vscode.commands.executeCommand('mergewise.preview');
    const tab = await eventually('a preview tab', () => vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('mergewise.preview')));
    assert.match(tab.label, /loyalty-update\.liquid/);
  });
});
