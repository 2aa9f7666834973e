// The whole-process baseline bench/emails400.ts times `mergewise check` against: a Node process that
// only parses each Liquid file under a folder with `toLiquidHtmlAST` (@shopify/liquid-html-parser), as a
// team's own script would, and prints how many parsed and how many it rejected. Nothing else.
//
//   node bench/parse-baseline-liquid.mjs DIR
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { toLiquidHtmlAST } from '@shopify/liquid-html-parser';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/parse-baseline-liquid.mjs DIR');
  process.exit(2);
}
let parsed = 0;
let rejected = 0;
for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.liquid')) continue;
  const text = readFileSync(path.join(entry.parentPath ?? entry.path, entry.name), 'utf8');
  try {
    toLiquidHtmlAST(text);
    parsed++;
  } catch {
    rejected++;
  }
}
console.log(JSON.stringify({ parsed, rejected }));
