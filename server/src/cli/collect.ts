import * as fs from 'node:fs';
import { GENERATOR_META } from '../core/generated-page';
import * as path from 'node:path';
import { matchesGlob } from '../core/purposes';
import { SCHEMA_FILE_NAME } from '../core/schema/load';
import { isTemplateFile, isTemplateIn, toPosix, type SchemaIndex } from '../core/workspace';

/**
 * Folders of dependencies and build output, not walked (nor are dot-folders) unless a `templates`
 * glob names them (see `templatesGlobNames`).
 */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'out']);

/** The marker comes right after the charset, which HTML wants within the first 1024 bytes. */
const MARKER_WITHIN_BYTES = 1024;

export interface CollectedFiles {
  templates: string[];
  schemas: string[];
  /** Paths that do not exist or cannot be listed, with why. */
  problems: string[];
  /** What was passed over while walking folders, with why: a link to nothing, a link that loops. */
  notices: string[];
}

/**
 * Expands the command line's paths into template files and `mergewise.json` files, in a stable order.
 * In folders, a template is a file `isTemplate` accepts (by default, by its extension). Links are
 * followed; a file reached by several paths is taken once, by the first path it is reached by.
 */
export function collectFiles(
  inputs: string[], cwd: string, isTemplate: (file: string) => boolean = isTemplateFile, walkSkipped: (dir: string) => boolean = () => false,
): CollectedFiles {
  const collected: CollectedFiles = { templates: [], schemas: [], problems: [], notices: [] };
  const walker = new Walker(collected, cwd, isTemplate, walkSkipped);
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch {
      collected.problems.push(`${input}: no such file or folder.`);
      continue;
    }
    if (stat.isDirectory()) walker.walk(absolute, []);
    else if (path.basename(absolute) === SCHEMA_FILE_NAME) walker.addFile(absolute, 'schema');
    else if (isGeneratedPage(absolute)) collected.notices.push(`${input}: skipped, a page Mergewise wrote (report --out or preview --out), not a template.`);
    else walker.addFile(absolute, 'template');
  }
  return collected;
}

/**
 * `collectFiles` for the templates the governing `mergewise.json` files describe: a file a
 * `templates` glob names is a template whatever its extension, and a folder usually skipped
 * (`dist`, `node_modules`, a dot-folder) is walked when a glob names it.
 */
export function collectTemplates(inputs: string[], cwd: string, index: SchemaIndex): CollectedFiles {
  return collectFiles(inputs, cwd, (file) => isTemplateIn(index, file), (dir) => templatesGlobNames(index, dir));
}

/**
 * Whether a `templates` glob of the `mergewise.json` governing `dir` names the folder itself, as
 * `dist/**\/*.html` names `dist`: by its name, literally, after a part that matches the folders above
 * it. A glob such as `**\/*.mjml` reaches every folder but names none, so it walks into none.
 */
export function templatesGlobNames(index: SchemaIndex, dir: string): boolean {
  const schema = index.schemaFor(path.join(dir, SCHEMA_FILE_NAME))?.result?.schema;
  if (!schema?.templates.length) return false;
  const folders = toPosix(path.relative(schema.dir, dir)).split('/');
  const name = folders.pop()!;
  const above = folders.join('/');
  return schema.templates.some(({ glob }) => {
    const segments = glob.split('/');
    return segments.some((segment, i) => {
      if (segment !== name) return false;
      const before = segments.slice(0, i);
      return above === '' ? before.every((each) => each === '**') : matchesGlob(before.join('/'), above);
    });
  });
}

/** Whether an HTML file is a page Mergewise wrote, by the marker in its head. */
export function isGeneratedPage(file: string): boolean {
  if (!/\.html?$/i.test(file)) return false;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(MARKER_WITHIN_BYTES + GENERATOR_META.length);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, read).includes(GENERATOR_META);
  } catch {
    // Not readable: checking it says why.
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

class Walker {
  /** Real paths of the files taken and of the folders walked: each is taken once. */
  private readonly seenFiles = new Set<string>();
  private readonly seenFolders = new Set<string>();

  constructor(
    private readonly collected: CollectedFiles, private readonly cwd: string,
    private readonly isTemplate: (file: string) => boolean, private readonly walkSkipped: (dir: string) => boolean,
  ) {}

  /** `real`: the file's real path, when known already. */
  addFile(file: string, kind: 'schema' | 'template', real = realPath(file)): void {
    if (this.seenFiles.has(real)) return;
    this.seenFiles.add(real);
    (kind === 'schema' ? this.collected.schemas : this.collected.templates).push(file);
  }

  /** `ancestors`: the real paths of the folders this one was reached through, to tell a link that loops. */
  walk(dir: string, ancestors: string[]): void {
    const real = realPath(dir);
    if (ancestors.includes(real)) {
      this.collected.notices.push(`${this.shown(dir)}: skipped, a link to ${linkTarget(dir)}, a folder it is inside of: following it would loop.`);
      return;
    }
    // Reached before through another link: its files are taken already.
    if (this.seenFolders.has(real)) return;
    this.seenFolders.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      this.collected.problems.push(`${dir}: cannot be listed (${(error as Error).message}).`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const inside = [...ancestors, real];
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      // Without a link, the real path follows from the folder's, with no call to the file system.
      let realFile: string | undefined = path.join(real, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target: fs.Stats;
        try {
          target = fs.statSync(full);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          this.collected.notices.push(code === 'ELOOP'
            ? `${this.shown(full)}: skipped, a link that leads back to itself.`
            : `${this.shown(full)}: skipped, a link to ${linkTarget(full)}, which ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`}.`);
          continue;
        }
        isDirectory = target.isDirectory();
        isFile = target.isFile();
        realFile = undefined;
      }
      if (isDirectory) {
        const skipped = entry.name.startsWith('.') || SKIPPED_FOLDERS.has(entry.name);
        if (!skipped || this.walkSkipped(full)) this.walk(full, inside);
      } else if (entry.name === SCHEMA_FILE_NAME) {
        this.addFile(full, 'schema', realFile);
      } else if (isFile && this.isTemplate(full) && !isGeneratedPage(full)) {
        this.addFile(full, 'template', realFile);
      }
    }
  }

  private shown(file: string): string {
    const relative = path.relative(this.cwd, file);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? toPosix(relative) : file;
  }
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

function linkTarget(link: string): string {
  try {
    return fs.readlinkSync(link);
  } catch {
    return 'a file';
  }
}
