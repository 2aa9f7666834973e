'use strict';
/**
 * Loaded with `node --require` into the language server and the command line by
 * test/lsp/untrusted.test.ts (issue 8, part 6). Every way out of the process records itself to the
 * file named by MW_TRAP_LOG and throws: the network (net, http, https, http2, tls, dgram, dns,
 * fetch), child processes, native addons, code evaluated from strings (vm, indirect eval), and
 * JavaScript required from the workspace (MW_TRAP_WORKSPACE). Worker threads are allowed (the
 * preview renders in one) and recorded, so the test can check they run the extension's own code.
 * Workers inherit `--require`, so they are trapped the same way.
 */
const fs = require('node:fs');
const Module = require('node:module');
const workerThreads = require('node:worker_threads');

const LOG = process.env.MW_TRAP_LOG;
const WORKSPACE = process.env.MW_TRAP_WORKSPACE;
const thread = workerThreads.isMainThread ? 'main' : `worker ${workerThreads.threadId}`;

function describe(value) {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.slice(0, 300);
  try {
    return JSON.stringify(value).slice(0, 300);
  } catch {
    return String(value).slice(0, 300);
  }
}

function record(kind, what, detail) {
  if (!LOG) return;
  const stack = (new Error().stack ?? '').split('\n').slice(3, 9).map((line) => line.trim()).join(' < ');
  fs.appendFileSync(LOG, `${JSON.stringify({ kind, what, detail: describe(detail), thread, stack })}\n`);
}

/** Replaces `object[name]` with a function that records the call and throws. */
function forbid(object, name, what) {
  const original = object && object[name];
  if (typeof original !== 'function') return;
  const trapped = function trapped(...args) {
    record('forbidden', what, args[0]);
    throw new Error(`sandbox: ${what} is not allowed in Mergewise`);
  };
  Object.defineProperty(object, name, { value: trapped, writable: true, configurable: true, enumerable: true });
}

const net = require('node:net');
for (const name of ['connect', 'createConnection', 'createServer']) forbid(net, name, `net.${name}`);
forbid(net.Socket.prototype, 'connect', 'net.Socket#connect');
forbid(net.Server.prototype, 'listen', 'net.Server#listen');
for (const id of ['http', 'https']) {
  const mod = require(`node:${id}`);
  for (const name of ['request', 'get', 'createServer']) forbid(mod, name, `${id}.${name}`);
}
forbid(require('node:http2'), 'connect', 'http2.connect');
forbid(require('node:http2'), 'createServer', 'http2.createServer');
forbid(require('node:tls'), 'connect', 'tls.connect');
forbid(require('node:dgram'), 'createSocket', 'dgram.createSocket');
const dns = require('node:dns');
for (const name of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveTxt', 'resolveSrv', 'resolveNs', 'reverse']) {
  forbid(dns, name, `dns.${name}`);
  forbid(dns.promises, name, `dns.promises.${name}`);
}
forbid(globalThis, 'fetch', 'fetch');
forbid(globalThis, 'WebSocket', 'WebSocket');
forbid(globalThis, 'EventSource', 'EventSource');

const childProcess = require('node:child_process');
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) forbid(childProcess, name, `child_process.${name}`);
forbid(process, 'dlopen', 'process.dlopen');

const vm = require('node:vm');
for (const name of ['runInThisContext', 'runInNewContext', 'runInContext', 'compileFunction', 'createScript']) forbid(vm, name, `vm.${name}`);
const OriginalScript = vm.Script;
vm.Script = function Script(code) {
  record('forbidden', 'vm.Script', code);
  throw new Error('sandbox: vm.Script is not allowed in Mergewise');
};
vm.Script.prototype = OriginalScript.prototype;
forbid(globalThis, 'eval', 'indirect eval');

// JavaScript from the workspace: a `mergewise.config.js`, a plugin in its node_modules, anything.
const load = Module._load;
Module._load = function trappedLoad(request, parent, isMain) {
  if (WORKSPACE) {
    let filename = request;
    try {
      filename = Module._resolveFilename(request, parent, isMain);
    } catch {
      // Unresolvable: the original loader reports it.
    }
    if (typeof filename === 'string' && filename.startsWith(WORKSPACE)) {
      record('forbidden', 'require from the workspace', filename);
      throw new Error('sandbox: workspace code is not loaded by Mergewise');
    }
  }
  return load.apply(this, arguments);
};

// Worker threads: allowed, recorded with the script they run.
const OriginalWorker = workerThreads.Worker;
workerThreads.Worker = class RecordedWorker extends OriginalWorker {
  constructor(file, options) {
    record(options && options.eval ? 'forbidden' : 'worker', options && options.eval ? 'Worker with eval' : 'Worker', file instanceof URL ? file.href : file);
    if (options && options.eval) throw new Error('sandbox: workers from source text are not allowed in Mergewise');
    super(file, options);
  }
};

record('loaded', 'sandbox preload', process.argv.slice(1).join(' '));
