// Bundles the extension client, the language server and the command line into dist/.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// The README's `## Rules` part (to the next `## ` heading, as core/rules/help.ts's rulesPart reads it):
// the command line's SARIF report gives each rule its section as help (see cli/readme-rules.ts).
const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const rulesStart = readme.search(/^## Rules$/m);
const rulesEnd = readme.slice(rulesStart + 1).search(/^## /m);
const readmeRules = rulesEnd === -1 ? readme.slice(rulesStart) : readme.slice(rulesStart, rulesStart + 1 + rulesEnd);
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // jsonc-parser's UMD build hides its requires from bundlers; its ES module build bundles cleanly.
  mainFields: ['module', 'main'],
  sourcemap: true,
  logLevel: 'warning',
  define: { MERGEWISE_VERSION: JSON.stringify(version) },
};

const builds = [
  { entryPoints: { client: 'client/src/extension.ts' }, external: ['vscode'] },
  // Runnable on its own by any editor (`mergewise-language-server --stdio`), hence the banner.
  { entryPoints: { server: 'server/src/lsp/main.ts' }, banner: { js: '#!/usr/bin/env node' } },
  // Preview renderings run here, off the server's thread (see server/src/lsp/preview/render-pool.ts).
  { entryPoints: { 'render-worker': 'server/src/lsp/preview/render-worker.ts' } },
  // DuckDB is a native module: it is loaded from node_modules at run time, not bundled. The template
  // engines are bundles of their own, read only when a command first needs one (see core/dialects/common/engines.ts).
  {
    // check-worker and report-worker: `mergewise check --jobs N`'s and `mergewise report --jobs N`'s
    // worker threads (see server/src/cli/jobs.ts and report-jobs.ts).
    entryPoints: { cli: 'server/src/cli/index.ts', 'check-worker': 'server/src/cli/check-worker.ts', 'report-worker': 'server/src/cli/report-worker.ts' },
    define: { ...common.define, MERGEWISE_README_RULES: JSON.stringify(readmeRules) },
    external: ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-*'],
    plugins: [enginesApart()],
  },
  { entryPoints: { 'engines/liquidjs': 'liquidjs', 'engines/handlebars': 'handlebars' } },
].map((options) => ({ ...common, outdir: 'dist', ...options }));

/** `require('liquidjs')` and `require('handlebars')` in the command line load dist/engines/*.js, beside it. */
function enginesApart() {
  return {
    name: 'engines-apart',
    setup(build) {
      build.onResolve({ filter: /^(liquidjs|handlebars)$/ }, ({ path }) => ({ path: `./engines/${path}.js`, external: true }));
    },
  };
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
