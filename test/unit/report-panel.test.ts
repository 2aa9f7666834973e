/**
 * The report panel without VS Code: what a click in the report may open (a file inside the folder,
 * at its line; nothing else), the page's one script, and the notice page shown while it is written.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { reportLinkTarget, reportNoticeHtml } from '../../client/src/report/report-page';
import { REPORT_PANEL_SCRIPT } from '../../protocol/src/report-panel';

const FOLDER = path.resolve('/ws/shop');

describe('report links', () => {
  test('a finding\'s link opens its file at its line (0-based), segments decoded', () => {
    assert.deepEqual(reportLinkTarget(FOLDER, 'emails/drafts/win-back.liquid#L12'), { file: path.join(FOLDER, 'emails', 'drafts', 'win-back.liquid'), line: 11 });
    assert.deepEqual(reportLinkTarget(FOLDER, 'emails/Sp%C3%A9cial%20offer.liquid#L1'), { file: path.join(FOLDER, 'emails', 'Spécial offer.liquid'), line: 0 });
    assert.deepEqual(reportLinkTarget(FOLDER, 'emails/welcome.liquid'), { file: path.join(FOLDER, 'emails', 'welcome.liquid') });
    assert.deepEqual(reportLinkTarget(FOLDER, 'emails/welcome.liquid#L0'), { file: path.join(FOLDER, 'emails', 'welcome.liquid') }, 'no line 0: the file, from its start');
  });

  test('nothing outside the folder, no URL, no in-page anchor, no malformed escape', () => {
    for (const href of [
      '../secrets.txt', 'emails/../../x.liquid', '%2E%2E/x.liquid', '/etc/passwd', '\\\\host\\share', 'file:///etc/passwd', 'https://example.com/',
      'javascript:alert(1)', 'command:workbench.action.terminal.new', '#summary', '', 'emails/%E0%A4%A.liquid', '.', 'emails/..',
    ]) {
      assert.equal(reportLinkTarget(FOLDER, href), undefined, href);
    }
    assert.equal(reportLinkTarget(FOLDER, undefined as unknown as string), undefined, 'a message without an href');
  });
});

describe('the report page\'s script', () => {
  test('is valid JavaScript that cannot close its own script element', () => {
    assert.doesNotThrow(() => new Function('acquireVsCodeApi', REPORT_PANEL_SCRIPT));
    assert.doesNotMatch(REPORT_PANEL_SCRIPT, /<\/script/i);
  });
});

describe('the notice page', () => {
  test('runs no script, loads nothing, and escapes its message', () => {
    const html = reportNoticeHtml('The report could not be written: <b>no</b> "folder"');
    assert.match(html, /content="default-src 'none'; style-src 'unsafe-inline'"/);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /could not be written: &lt;b&gt;no&lt;\/b&gt; &quot;folder&quot;/);
    assert.match(html, /<main>/, 'inside a landmark');
  });
});
