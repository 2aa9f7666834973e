// Preloaded (`node --require`) into a command-line child by test/cli/startup.test.ts: on exit, writes
// to the file MERGEWISE_MODULE_LOG every module the process required (`Module._load`'s requests) and
// every JavaScript file it loaded (the require cache), as JSON.
'use strict';
const Module = require('node:module');
const fs = require('node:fs');

const requests = [];
const load = Module._load;
Module._load = function (request, ...rest) {
  requests.push(request);
  return load.call(this, request, ...rest);
};
process.on('exit', () => {
  const files = Object.keys(require.cache).filter((file) => file !== __filename);
  fs.writeFileSync(process.env.MERGEWISE_MODULE_LOG, JSON.stringify({ requests, files }));
});
