// Preloaded (`node --require`) into the command-line child by bench/run.ts: on exit, writes the
// process's peak resident set size and CPU time to the file named by MERGEWISE_BENCH_USAGE_FILE.
'use strict';
const fs = require('node:fs');

process.on('exit', () => {
  const file = process.env.MERGEWISE_BENCH_USAGE_FILE;
  if (!file) return;
  const usage = process.resourceUsage();
  fs.writeFileSync(file, JSON.stringify({
    maxRssKiB: usage.maxRSS,
    userMs: usage.userCPUTime / 1000,
    systemMs: usage.systemCPUTime / 1000,
  }));
});
