/**
 * Where an include's partial lives: `mergewise.json`'s `partials` section first, then each
 * platform's conventions, searched from the including file's folder up to the workspace's root.
 * Answers are remembered per folder, kind and name: a workspace of thousands of templates includes
 * the same few partials from the same few folders.
 */
import * as path from 'node:path';
import type { IncludeKind, IncludeSite } from '../dialects/dialect';
import { closestNames } from '../closest';
import { matchesGlob } from '../purposes';
import type { Schema } from '../schema/types';
import type { WorkspaceFileSystem } from '../workspace';

export interface IncludeTarget {
  /** Absolute path of the partial's file; undefined when none was found. */
  file?: string;
  /** How it was found, or why not, for hover and messages. */
  how: string;
  /** For one that resolves to no file: the closest names of partials that exist. */
  suggestions: string[];
}

/** Extensions a partial may have when a name is written without one, in the order tried. */
const PARTIAL_EXTENSIONS = ['.liquid', '.html', '.htm', '.hbs', '.handlebars', '.mustache', '.txt', '.amp', '.ampscript', '.hubl', '.j2', '.jinja'];

/** The conventional folders of each kind of include, searched in each folder from the template's up to the root. */
const CONVENTIONAL_FOLDERS: Record<IncludeKind, string[]> = {
  render: ['snippets', 'partials', '_includes', 'includes', ''],
  include: ['snippets', 'partials', '_includes', 'includes', 'templates', ''],
  'content-block': ['content_blocks', 'content-blocks', 'contentblocks', 'blocks', ''],
  partial: ['partials', 'layouts', ''],
  snippet: ['snippets', ''],
  import: ['', 'macros', 'partials', 'templates'],
  extends: ['', 'layouts', 'templates'],
  'content-block-key': ['content-blocks', 'content_blocks', 'blocks', ''],
  'content-block-name': ['content-blocks', 'content_blocks', 'blocks', ''],
  'content-block-id': ['content-blocks', 'content_blocks', 'blocks', ''],
};

/** Content Builder's top folder, which `ContentBlockByName` paths start with and workspaces usually leave out. */
const CONTENT_BUILDER_ROOT = /^content builder[\\/]/i;

export class PartialResolver {
  private readonly answers = new Map<string, IncludeTarget>();
  private readonly existing = new Map<string, boolean>();
  /** The names in each folder looked in, read once: most candidates do not exist, and a stat each was most of the work. */
  private readonly listings = new Map<string, Set<string>>();
  private readonly folderFiles = new Map<string, string[]>();
  private globbed: string[] | undefined;

  /**
   * @param root the folder includes resolve within: the schema's, or the workspace's when there is none.
   */
  constructor(private readonly fs: WorkspaceFileSystem, readonly root: string, private readonly schema: Schema | undefined) {}

  resolve(site: Pick<IncludeSite, 'kind' | 'name'>, fromFile: string): IncludeTarget {
    if (site.name === null) return { how: 'computed when the message is sent, so it is not followed', suggestions: [] };
    const fromDir = path.dirname(path.resolve(fromFile));
    const key = `${fromDir}\0${site.kind}\0${site.name}`;
    let answer = this.answers.get(key);
    if (!answer) this.answers.set(key, (answer = this.find(site.kind, site.name, fromDir)));
    return answer;
  }

  /**
   * The names an include of this kind may write from `fromFile` and resolve, nearest first, for
   * completion: mergewise.json's mapped names, then the files its globs match, or else the files in
   * the conventional folders (those beside the templates are other templates, not offered).
   */
  availableNames(kind: IncludeKind, fromFile: string): string[] {
    const names = new Set(this.configuredNames(kind));
    if (this.schema?.partials?.globs.length) {
      for (const file of this.globFiles()) names.add(withoutExtension(path.posix.basename(file)));
    } else {
      const from = path.resolve(fromFile);
      for (const name of this.nearbyPartialNames(kind, path.dirname(from), from)) names.add(name);
    }
    return [...names];
  }

  /** Forgets what was found, when files appear, disappear or `mergewise.json` changes. */
  clear(): void {
    this.answers.clear();
    this.existing.clear();
    this.listings.clear();
    this.folderFiles.clear();
    this.globbed = undefined;
  }

  private find(kind: IncludeKind, name: string, fromDir: string): IncludeTarget {
    const configured = this.configured(kind, name);
    if (configured !== undefined) {
      const file = path.resolve(this.root, configured);
      return this.exists(file)
        ? { file, how: `mapped in mergewise.json's "partials"`, suggestions: [] }
        : { how: `mergewise.json's "partials" maps it to ${configured}, which does not exist`, suggestions: [] };
    }
    if (this.schema?.partials?.globs.length) {
      const file = this.amongGlobs(name);
      if (file) return { file, how: `found among mergewise.json's "partials" globs`, suggestions: [] };
      return { how: `no file matching mergewise.json's "partials" globs is named ${name}`, suggestions: closestNames(name, this.globFiles().map(partialName), 3) };
    }
    const file = this.byConvention(kind, name, fromDir);
    if (file) return { file, how: 'found by convention', suggestions: [] };
    return {
      how: `no file named ${name} in ${CONVENTIONAL_FOLDERS[kind].filter(Boolean).map((f) => `${f}/`).join(', ')} or beside the template`,
      suggestions: closestNames(name, this.nearbyPartialNames(kind, fromDir), 3),
    };
  }

  private configured(kind: IncludeKind, name: string): string | undefined {
    const partials = this.schema?.partials;
    if (!partials) return undefined;
    switch (kind) {
      case 'content-block-key': return partials.contentBlocks.keys.get(name) ?? partials.files.get(name);
      case 'content-block-name': return partials.contentBlocks.names.get(name) ?? partials.files.get(name);
      case 'content-block-id': return partials.contentBlocks.ids.get(name) ?? partials.files.get(name);
      default: return partials.files.get(name);
    }
  }

  private configuredNames(kind: IncludeKind): string[] {
    const partials = this.schema?.partials;
    if (!partials) return [];
    const blocks = kind === 'content-block-key' ? partials.contentBlocks.keys
      : kind === 'content-block-name' ? partials.contentBlocks.names
        : kind === 'content-block-id' ? partials.contentBlocks.ids : undefined;
    return [...(blocks?.keys() ?? []), ...partials.files.keys()];
  }

  private amongGlobs(name: string): string | undefined {
    const wanted = relativeName(name);
    const match = this.globFiles().find((file) => {
      const bare = withoutExtension(file);
      return bare === wanted || bare.endsWith(`/${wanted}`) || file === wanted || file.endsWith(`/${wanted}`);
    });
    return match && path.resolve(this.root, match);
  }

  private globFiles(): string[] {
    this.globbed ??= this.fs.listFiles(this.root).filter((file) => this.schema?.partials?.globs.some((glob) => matchesGlob(glob, file)));
    return this.globbed;
  }

  private byConvention(kind: IncludeKind, name: string, fromDir: string): string | undefined {
    const relative = relativeName(kind === 'content-block-name' ? name.replace(CONTENT_BUILDER_ROOT, '') : name);
    const written = path.extname(relative) !== '';
    const bases = written ? [relative] : [relative, ...(kind === 'partial' || kind === 'render' || kind === 'include' ? [underscored(relative)] : [])];
    for (const dir of this.foldersUp(fromDir)) {
      for (const folder of CONVENTIONAL_FOLDERS[kind]) {
        // A folder that is not there holds no candidate: skip its dozens of names.
        if (folder && !this.mayHoldFiles(path.join(dir, folder))) continue;
        for (const base of bases) {
          const stem = path.join(dir, folder, base);
          if (written) {
            if (this.exists(stem)) return stem;
            continue;
          }
          for (const extension of PARTIAL_EXTENSIONS) {
            if (this.exists(stem + extension)) return stem + extension;
          }
        }
      }
    }
    return undefined;
  }

  /** The including file's folder, then each one above it up to the root (only the first when outside it). */
  private foldersUp(fromDir: string): string[] {
    const folders = [fromDir];
    const inside = !path.relative(this.root, fromDir).startsWith('..');
    for (let dir = fromDir; inside && dir !== this.root;) {
      const parent = path.dirname(dir);
      if (parent === dir) break;
      folders.push((dir = parent));
    }
    if (!folders.includes(this.root)) folders.push(this.root);
    return folders;
  }

  /** Names of the partials in the conventional folders near the template, nearest first, but `except` itself. */
  private nearbyPartialNames(kind: IncludeKind, fromDir: string, except?: string): string[] {
    const names = new Set<string>();
    for (const dir of this.foldersUp(fromDir)) {
      for (const folder of CONVENTIONAL_FOLDERS[kind]) {
        if (!folder) continue;
        for (const file of this.filesUnder(path.join(dir, folder))) {
          if (path.join(dir, folder, file) !== except) names.add(partialName(file));
        }
      }
    }
    return [...names];
  }

  /** The files under a conventional folder, listed once: every unknown name near it asks for them. */
  private filesUnder(dir: string): string[] {
    let files = this.folderFiles.get(dir);
    if (!files) this.folderFiles.set(dir, (files = this.fs.listFiles(dir)));
    return files;
  }

  /** The names in a folder, listed once; undefined when the file system cannot list folders. */
  private listing(dir: string): Set<string> | undefined {
    if (!this.fs.readDir) return undefined;
    let names = this.listings.get(dir);
    if (names === undefined) this.listings.set(dir, (names = new Set(this.fs.readDir(dir) ?? [])));
    return names;
  }

  /** False only for a folder known not to be there (a file system that cannot list folders knows none). */
  private mayHoldFiles(dir: string): boolean {
    return (this.listing(dir)?.size ?? 1) > 0;
  }

  private exists(file: string): boolean {
    let known = this.existing.get(file);
    const names = known === undefined ? this.listing(path.dirname(file)) : undefined;
    if (names) {
      known = names.has(path.basename(file));
      this.existing.set(file, known);
    }
    if (known === undefined) {
      try {
        known = this.fs.stamp ? this.fs.stamp(file) !== undefined : this.fs.readText(file) !== undefined;
      } catch {
        known = true; // It exists but cannot be read: the include rules say why.
      }
      this.existing.set(file, known);
    }
    return known;
  }
}

/** A name as a relative path: `Footers\Main` and `Footers/Main` alike, without a leading `./`. */
function relativeName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\.\//, '');
}

function withoutExtension(file: string): string {
  const extension = path.posix.extname(file);
  return extension ? file.slice(0, -extension.length) : file;
}

/** How a template names a partial file: its path without the extension or a leading `_`. */
function partialName(file: string): string {
  return withoutExtension(file).replace(/(^|\/)_/, '$1');
}

/** `_greeting`, the name Sass-style partial folders give `greeting`. */
function underscored(relative: string): string {
  const slash = relative.lastIndexOf('/');
  return `${relative.slice(0, slash + 1)}_${relative.slice(slash + 1)}`;
}
