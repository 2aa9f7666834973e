// The baseline bench/audience.ts times `mergewise audience` against: a plain Node streaming pass over
// a CSV file that computes only fill rates (non-empty values per column), with no library. A chunked
// byte scanner: RFC 4180 quoting (quoted commas, doubled quotes, newlines inside quotes), CRLF or LF;
// a value is empty when it has no byte other than spaces and tabs (`""` is empty).
//
//   node bench/baseline-fill-rates.mjs FILE.csv   prints {"rows": N, "filled": {"column": n, ...}}
import { createReadStream } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/baseline-fill-rates.mjs FILE.csv');
  process.exit(2);
}

const COMMA = 44, QUOTE = 34, LF = 10, CR = 13, SPACE = 32, TAB = 9;
let header = true;
let names = [];
let filled = new Float64Array(0);
let rows = 0;
let column = 0;
let content = false;
/** 0: unquoted, 1: inside quotes, 2: just after a quote inside quotes (a doubled quote or the closing one). */
let state = 0;
let fieldBytes = [];

function endField() {
  if (header) {
    names.push(Buffer.from(fieldBytes).toString('utf8'));
    fieldBytes = [];
  } else if (content && column < filled.length) {
    filled[column]++;
  }
  column++;
  content = false;
  state = 0;
}

function endRow() {
  endField();
  if (header) {
    header = false;
    filled = new Float64Array(names.length);
  } else {
    rows++;
  }
  column = 0;
}

for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  const n = chunk.length;
  for (let i = 0; i < n; i++) {
    const b = chunk[i];
    if (state === 1) {
      if (b === QUOTE) state = 2;
      else {
        if (b !== SPACE && b !== TAB) content = true;
        if (header) fieldBytes.push(b);
      }
      continue;
    }
    if (state === 2) {
      if (b === QUOTE) { // a doubled quote: a quote inside the value
        content = true;
        if (header) fieldBytes.push(b);
        state = 1;
        continue;
      }
      state = 0; // the closing quote; fall through to this byte, unquoted
    }
    if (b === COMMA) endField();
    else if (b === LF) endRow();
    else if (b === CR) continue;
    else if (b === QUOTE) state = 1;
    else {
      if (b !== SPACE && b !== TAB) content = true;
      if (header) fieldBytes.push(b);
    }
  }
}
if (column > 0 || content) endRow();

const result = { rows, filled: {} };
names.forEach((name, i) => { result.filled[name] = filled[i]; });
process.stdout.write(`${JSON.stringify(result)}\n`);
