import * as fs from 'node:fs';
import * as path from 'node:path';

/** The README's `## Rules` part, put in the bundle by esbuild.mjs: the rules' help in the SARIF report. */
declare const MERGEWISE_README_RULES: string | undefined;

/** The README's rules part, as bundled; run from source (tests), the README itself. */
export function readmeRules(): string {
  if (typeof MERGEWISE_README_RULES === 'string') return MERGEWISE_README_RULES;
  return fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
}
