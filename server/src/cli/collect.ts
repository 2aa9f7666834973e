import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCHEMA_FILE_NAME } from '../core/schema/load';
import { isTemplateFile } from '../core/workspace';


const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'dist', 'out']);

export interface CollectedFiles {
  templates: string[];
  schemas: string[];
  /** Paths that do not exist or cannot be listed, with why. */
  problems: string[];
}

/**
 * Expands the command line's paths into template files and `mergewise.json` files, in a stable order.
 * In folders, a template is a file `isTemplate` accepts (by default, by its extension).
 */
export function collectFiles(inputs: string[], cwd: string, isTemplate: (file: string) => boolean = isTemplateFile): CollectedFiles {
  const collected: CollectedFiles = { templates: [], schemas: [], problems: [] };
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      collected.problems.push(`${input}: no such file or folder.`);
      continue;
    }
    if (stat.isDirectory()) walk(absolute, collected, isTemplate);
    else if (path.basename(absolute) === SCHEMA_FILE_NAME) collected.schemas.push(absolute);
    else collected.templates.push(absolute);
  }
  collected.templates = [...new Set(collected.templates)];
  collected.schemas = [...new Set(collected.schemas)];
  return collected;
}

function walk(dir: string, collected: CollectedFiles, isTemplate: (file: string) => boolean): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    collected.problems.push(`${dir}: cannot be listed (${(error as Error).message}).`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) walk(full, collected, isTemplate);
    } else if (entry.name === SCHEMA_FILE_NAME) {
      collected.schemas.push(full);
    } else if (entry.isFile() && isTemplate(full)) {
      collected.templates.push(full);
    }
  }
}
