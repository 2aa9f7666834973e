/**
 * The coverage query's result as a warehouse exports it, read back for `--import-result`: pure, from
 * the file's text. CSV (a header row, then the one row of counts; BigQuery, Snowflake, Spark and
 * `psql --csv` write it so), a JSON array of one object, or JSON lines (one object). Column names
 * compare without regard to case (an engine may fold an alias's case); counts may be numbers or
 * numeric text (BigQuery writes INT64 as text in JSON).
 */

export type ResultFormat = 'csv' | 'json';

/** A result that cannot be read: the message names what is wrong, never a value. */
export class ResultError extends Error {}

/** The one row of counts, keyed by the query's own column names. */
export function parseCoverageResult(text: string, format: ResultFormat | undefined, columns: readonly string[]): Record<string, number> {
  const body = text.replace(/^\uFEFF/, '');
  const chosen = format ?? (/^\s*[[{]/.test(body) ? 'json' : 'csv');
  const records = chosen === 'json' ? jsonRecords(body) : csvRecords(body);
  if (records.length === 0) throw new ResultError('it holds no row of counts: the coverage query returns one row.');
  if (records.length > 1) throw new ResultError(`it holds ${records.length} rows: the coverage query returns one.`);
  const record = records[0];
  const byName = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const row: Record<string, number> = {};
  const seen = new Set<string>();
  for (const [name, value] of record) {
    const column = byName.get(name.trim().toLowerCase());
    if (!column) throw new ResultError(`it has a column "${name}", which the coverage query for these templates and columns does not return: was it run with the same templates, mergewise.json and --data?`);
    if (seen.has(column)) throw new ResultError(`it has the column "${column}" twice.`);
    seen.add(column);
    const count = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.0*)?\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(count) || count < 0) throw new ResultError(`its column "${column}" is not a count (a whole number of rows).`);
    row[column] = count;
  }
  const missing = columns.filter((c) => !seen.has(c));
  if (missing.length) {
    throw new ResultError(`it lacks the column${missing.length === 1 ? '' : 's'} ${missing.slice(0, 5).map((c) => `"${c}"`).join(', ')}${missing.length > 5 ? `, and ${missing.length - 5} more` : ''}, which the coverage query returns: was it run with the same templates, mergewise.json and --data?`);
  }
  return row;
}

function jsonRecords(text: string): [string, unknown][][] {
  const trimmed = text.trim();
  let objects: unknown[];
  if (trimmed.startsWith('[')) {
    try {
      objects = JSON.parse(trimmed) as unknown[];
    } catch {
      throw new ResultError('it is not valid JSON.');
    }
  } else {
    objects = [];
    for (const [i, line] of trimmed.split(/\r?\n/).entries()) {
      if (!line.trim()) continue;
      try {
        objects.push(JSON.parse(line));
      } catch {
        throw new ResultError(`line ${i + 1} is not valid JSON.`);
      }
    }
  }
  return objects.map((object) => {
    if (!object || typeof object !== 'object' || Array.isArray(object)) throw new ResultError('its rows are not JSON objects of column names to counts.');
    return Object.entries(object as Record<string, unknown>);
  });
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF); a tab-separated file when the header has tabs and no commas. */
function csvRecords(text: string): [string, unknown][][] {
  const firstLine = text.split(/\r?\n/, 1)[0];
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new ResultError('it is not valid CSV (a quote is never closed).');
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const nonEmpty = rows.filter((r) => r.some((cell) => cell.trim() !== ''));
  if (!nonEmpty.length) throw new ResultError('it is empty.');
  const [header, ...data] = nonEmpty;
  return data.map((cells, r) => {
    if (cells.length !== header.length) throw new ResultError(`its row ${r + 2} has ${cells.length} values for ${header.length} columns.`);
    return header.map((name, i): [string, unknown] => [name, cells[i]]);
  });
}
