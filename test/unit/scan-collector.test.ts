import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScanCollector } from '../../server/src/core/dialects/common/scan-collector';

const span = { start: 0, end: 1 };

function useOf(collector: ScanCollector, path: string) {
  return collector.addUse({ path, written: path, span, tagSpan: span, context: 'output', fallback: null, filters: [] });
}

describe('scan collector: guards', () => {
  test('a path checked by two open conditionals stays guarded until both end', () => {
    const collector = new ScanCollector('x');
    collector.guard(['a']);
    collector.guard(['a', 'b']);
    collector.unguard(['a', 'b']);
    assert.equal(useOf(collector, 'a').guarded, true);
    assert.equal(useOf(collector, 'b').guarded, false);
    collector.unguard(['a']);
    assert.equal(useOf(collector, 'a').guarded, false);
  });

  test('unguarding a path that is not guarded does not leave a debt: its next guard counts', () => {
    const collector = new ScanCollector('x');
    collector.guard(['a']);
    collector.unguard(['a']);
    collector.unguard(['a', 'b']);
    collector.guard(['a', 'b']);
    assert.equal(useOf(collector, 'a').guarded, true);
    assert.equal(useOf(collector, 'b').guarded, true);
  });

  test('a use said to be guarded, or not, is recorded so whatever the counts', () => {
    const collector = new ScanCollector('x');
    collector.guard(['a']);
    const use = collector.addUse({ path: 'a', written: 'a', span, tagSpan: span, context: 'output', fallback: null, filters: [], guarded: false });
    assert.equal(use.guarded, false);
    assert.equal(collector.result().uses[0], use);
  });
});
