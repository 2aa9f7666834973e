/**
 * The render pool: one worker thread, one job at a time, a hard wall-clock limit per recipient that
 * terminates the worker, and newer jobs for a document replacing older ones. Stand-in workers (code
 * run with `eval`) make hangs and crashes certain; the real dist/render-worker.js (from
 * `npm run build`) shows the real renderer behind it.
 *
 * No assertion here depends on how fast the machine is: a stopped rendering shows as its worker
 * terminated and the next job answered, never as a number of milliseconds. A rendering that nothing
 * stops would hang its test: `settled` fails it instead, and its `finally` stops the workers.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEFAULT_RENDER_LIMITS } from '../../server/src/core/dialects/dialect';
import type { RenderJob } from '../../server/src/lsp/preview/messages';
import { defaultHardTimeout, JobCancelled, RenderPool } from '../../server/src/lsp/preview/render-pool';
import { NOW, schemaOf } from '../helpers/schema';
import { unlessHung } from '../helpers/timing';

const REAL_WORKER = path.resolve(__dirname, '../../dist/render-worker.js');

/**
 * A hard limit no test reaches. A rendering that ends under it was stopped by something else; and a
 * rendering that should come back has all the time a slow machine needs.
 */
const NEVER = 24 * 60 * 60_000;

/** What the pool promised, or a failure if it never comes (hang protection, not a measure of speed). */
function settled<T>(promise: Promise<T>): Promise<T> {
  return unlessHung(promise, 'the render pool\'s answer');
}

/** Echoes the text as each recipient's html; hangs on HANG, exits on CRASH (for the recipient named Crash). */
const STAND_IN = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (message) => {
  const { id, job, start } = message;
  for (let index = start; index < job.recipients.length; index++) {
    const recipient = job.recipients[index];
    if (job.text.includes('HANG') && recipient.name !== 'Quick') for (;;) {}
    if (job.text.includes('CRASH') && recipient.name === 'Crash') process.exit(3);
    parentPort.postMessage({ type: 'result', id, index, result: {
      name: recipient.name, file: recipient.file, summary: 'fine', counts: { fallback: 0, blank: 0, stale: 0, raw: 0 }, html: job.text,
    } });
  }
  parentPort.postMessage({ type: 'done', id });
});
parentPort.postMessage({ type: 'ready' });
`;

function job(text: string, names: string[] = ['Ana'], timeMs = 200): RenderJob {
  return {
    text,
    dialect: 'liquid',
    partials: {},
    schema: schemaOf({ fields: { 'customer.first_name': { type: 'string' } } }),
    recipients: names.map((name) => ({ name, file: `/r/${name}.json`, data: { customer: { first_name: name } }, updatedAt: new Map() })),
    now: NOW,
    limits: { ...DEFAULT_RENDER_LIMITS, timeMs },
    plainText: false,
  };
}

/** What the pool did with its workers, seen from outside: how many it started and terminated, and each job it sent. */
interface Watched {
  spawned: () => number;
  terminated: () => number;
  /** Resolves when the pool has sent its `count`th job to a worker. */
  sent: (count: number) => Promise<void>;
}

function watch(start: () => Worker): { spawn: () => Worker } & Watched {
  let spawned = 0;
  let terminated = 0;
  let sentCount = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  const spawn = () => {
    spawned++;
    const worker = start();
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => { terminated++; return terminate(); };
    const postMessage = worker.postMessage.bind(worker);
    worker.postMessage = (message: { type?: string }, ...rest: []) => {
      postMessage(message, ...rest);
      if (message.type !== 'render') return;
      sentCount++;
      for (const waiter of waiting.filter((w) => w.count <= sentCount)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve();
      }
    };
    return worker;
  };
  return {
    spawn,
    spawned: () => spawned,
    terminated: () => terminated,
    sent: (count) => count <= sentCount ? Promise.resolve() : new Promise((resolve) => waiting.push({ count, resolve })),
  };
}

/** A pool of stand-in workers; `hangLimitMs` is the hard limit of jobs that hang, and the others have no limit in reach. */
function standInPool(hangLimitMs = 300): { pool: RenderPool } & Watched {
  const watched = watch(() => new Worker(STAND_IN, { eval: true }));
  const pool = new RenderPool({ spawn: watched.spawn, hardTimeoutMs: (job) => job.text.includes('HANG') ? hangLimitMs : NEVER });
  return { pool, ...watched };
}

describe('render pool', () => {
  test('renders each recipient on the worker, and reuses the worker for the next job', async () => {
    const { pool, spawned } = standInPool();
    try {
      const first = await settled(pool.render('a', job('one', ['Ana', 'Ben'])));
      assert.deepEqual(first.map((r) => [r.name, r.html]), [['Ana', 'one'], ['Ben', 'one']]);
      const second = await settled(pool.render('a', job('two')));
      assert.equal(second[0].html, 'two');
      assert.equal(spawned(), 1);
    } finally {
      pool.dispose();
    }
  });

  test('a rendering that never comes back is stopped at the hard limit with a clear message; the others still render', async () => {
    const { pool, spawned, terminated } = standInPool(300);
    try {
      const started = performance.now();
      const results = await settled(pool.render('a', job('HANG', ['Ana', 'Quick'])));
      // Never before the limit; how long after it depends on the machine, and is not asserted.
      assert.ok(performance.now() - started >= 300, 'the rendering had its full 300 ms');
      assert.equal(results[0].error, 'Rendering did not finish within 300 ms and was stopped: check for a loop that never ends or output that never stops growing.');
      assert.equal(results[0].summary, 'not rendered');
      assert.equal(results[0].html, '');
      assert.equal(terminated(), 1, 'the worker stuck in the loop was terminated');
      assert.equal(results[1].error, undefined, 'the next recipient renders on a fresh worker');
      assert.equal(results[1].html, 'HANG');
      assert.equal(spawned(), 2);
      const after = await settled(pool.render('a', job('fine')));
      assert.equal(after[0].html, 'fine');
    } finally {
      pool.dispose();
    }
  });

  test('a worker that dies fails the recipient it was on, and the job goes on', async () => {
    const { pool } = standInPool();
    try {
      const results = await settled(pool.render('a', job('CRASH', ['Ana', 'Crash', 'Ben'])));
      assert.deepEqual(results.map((r) => r.name), ['Ana', 'Crash', 'Ben']);
      assert.equal(results[0].html, 'CRASH');
      assert.match(results[1].error ?? '', /The preview renderer stopped unexpectedly \(exit code 3\)/);
      assert.equal(results[2].html, 'CRASH');
    } finally {
      pool.dispose();
    }
  });

  test('a newer job for the same document replaces a waiting one; other documents keep their turn', async () => {
    const { pool } = standInPool(300);
    try {
      const busy = pool.render('slow', job('HANG'));
      const waiting = pool.render('a', job('old'));
      const other = pool.render('b', job('other'));
      const newer = pool.render('a', job('new'));
      await assert.rejects(settled(waiting), (error: unknown) => error instanceof JobCancelled && error.reason === 'superseded');
      assert.match((await settled(busy))[0].error ?? '', /did not finish/);
      assert.equal((await settled(other))[0].html, 'other');
      assert.equal((await settled(newer))[0].html, 'new');
    } finally {
      pool.dispose();
    }
  });

  test('a running job that is replaced is stopped, not waited for', async () => {
    // With no hard limit in reach, the newer job can only get the worker if the replaced one is stopped.
    const { pool, spawned, terminated, sent } = standInPool(NEVER);
    try {
      const running = pool.render('a', job('HANG')).then(() => undefined, (error: unknown) => error);
      await settled(sent(1));
      const newer = await settled(pool.render('a', job('fixed')));
      assert.equal(newer[0].html, 'fixed');
      assert.equal(terminated(), 1, 'the hanging rendering was stopped once replaced');
      assert.equal(spawned(), 2);
      assert.ok(await settled(running) instanceof JobCancelled);
    } finally {
      pool.dispose();
    }
  });

  test('a cancelled request gives up its job', async () => {
    const { pool, terminated, sent } = standInPool(NEVER);
    try {
      let cancel: () => void = () => undefined;
      const token = { isCancellationRequested: false, onCancellationRequested: (listener: () => void) => { cancel = listener; } };
      const running = pool.render('a', job('HANG'), token);
      await settled(sent(1));
      token.isCancellationRequested = true;
      cancel();
      await assert.rejects(settled(running), (error: unknown) => error instanceof JobCancelled && error.reason === 'cancelled');
      // With no hard limit in reach, the next job gets the worker only because the cancelled one was stopped.
      assert.equal((await settled(pool.render('a', job('next'))))[0].html, 'next');
      assert.equal(terminated(), 1);
    } finally {
      pool.dispose();
    }
  });

  test('the default hard limit leaves the renderer time to stop by itself first', () => {
    assert.equal(defaultHardTimeout(job('', [], 2000)), 3000);
    assert.equal(defaultHardTimeout(job('', [], 200)), 700);
  });

  describe('with the real render worker', () => {
    const realPool = (hardTimeoutMs?: (job: RenderJob) => number) => {
      // npm test builds first: a missing worker bundle is a broken checkout, not a reason to pass.
      assert.ok(fs.existsSync(REAL_WORKER), `${REAL_WORKER} is missing: run \`npm run build\` (npm test does)`);
      const watched = watch(() => new Worker(REAL_WORKER));
      const pool = new RenderPool({ spawn: watched.spawn, ...(hardTimeoutMs ? { hardTimeoutMs } : {}) });
      return Object.assign(pool, watched);
    };

    test('renders with the dialect\'s engine and marks each value', async () => {
      const pool = realPool();
      // Each with all the time it needs: liquidjs's own time limit is not under test here.
      const render = (text: string) => settled(pool.render('a', job(text, ['Ana'], NEVER)));
      try {
        const [ana] = await render('Hi {{ customer.first_name }}!');
        assert.equal(ana.html, 'Hi <mark class="mw mw-value" title="value: customer.first_name" data-start="3" data-end="28">Ana</mark>!');
        assert.equal(ana.summary, '0 fallbacks, 0 blanks, 0 stale');
        const [aborted] = await render('{% abort_message("no consent") %}Hi');
        assert.equal(aborted.aborted, 'no consent');
        assert.equal(aborted.html, '');
        const [broken] = await render('{% if %}');
        assert.match(broken.error ?? '', /liquidjs could not render/);
      } finally {
        pool.dispose();
      }
    });

    test('one filter too big for the renderer\'s own checks is stopped by the hard limit', async () => {
      const filter = '{{ (1..40000000) | join: "," | size }}';
      const pool = realPool((job) => job.text === filter ? 300 : NEVER);
      try {
        const [result] = await settled(pool.render('a', job(filter, ['Ana'], 100)));
        assert.equal(result.error, 'Rendering did not finish within 300 ms and was stopped: check for a loop that never ends or output that never stops growing.');
        assert.equal(pool.terminated(), 1, 'the worker stuck in the filter was terminated');
        const [next] = await settled(pool.render('a', job('Hi {{ customer.first_name }}', ['Ana'], NEVER)));
        assert.equal(next.summary, '0 fallbacks, 0 blanks, 0 stale', 'the next job gets a fresh worker');
        assert.equal(pool.spawned(), 2);
      } finally {
        pool.dispose();
      }
    });
  });
});
