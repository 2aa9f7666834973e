/**
 * What bench/run.ts measures of the core, bundled by esbuild with the settings of esbuild.mjs, so
 * that the numbers are those of the code that ships in dist/ (tsx's on-the-fly build adds a
 * `__name` wrapper to every function, which costs a few percent in hot loops).
 */
export { analyzeTemplate } from '../server/src/core/analyze';
export { loadSchema } from '../server/src/core/schema/load';
export { getDialect } from '../server/src/core/dialects/registry';
export { LineIndex } from '../server/src/core/positions';
