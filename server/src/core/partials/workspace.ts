/**
 * The include graph of a workspace: which partials each template pulls in, which sending templates
 * each partial reaches, and the contexts it is read in there. Files are scanned once per version;
 * includes are resolved once per folder, kind and name.
 */
import * as path from 'node:path';
import type { Dialect, IncludeSite, ParameterDeclaration, PurposeDirective, TemplateScan } from '../dialects/dialect';
import { getDialect } from '../dialects/registry';
import { purposesForTemplate } from '../purposes';
import type { Purpose, Schema } from '../schema/types';
import type { DialectId } from '../dialects/ids';
import type { Span } from '../model';
import { chooseDialect, formatBytes, looksBinary, maxFileSizeFor, toPosix, type DialectChoice, type SchemaIndex } from '../workspace';
import { contextKey, innerContext, TOP_LEVEL, type CallContext } from './call-context';
import { MAX_INCLUDE_DEPTH } from './limits';
import { PartialResolver, type IncludeTarget } from './resolve';

/** Distinct ways one sending template reaches one partial that are followed; more is a generated workspace, not a real one. */
const MAX_PATHS_PER_SENDER = 64;

export interface TemplateTexts {
  /** The file's current text (an open editor's, else the disk's); undefined when it does not exist. Throws when it cannot be read. */
  read(file: string): string | undefined;
  /** Changes whenever `read` would return another text; undefined to compare the texts instead. */
  version?(file: string): string | undefined;
  /** The templates whose includes make the graph, as absolute paths. */
  templates(): string[];
}

/** One include of a template, resolved. */
export interface ResolvedInclude {
  site: IncludeSite;
  /** Absolute path of the partial; undefined when it resolves to none or is computed at send time. */
  file?: string;
  /** The partial's path as messages show it: relative to `mergewise.json`'s folder (or the workspace's). */
  shown?: string;
  /** How it was found, or why not. */
  how: string;
  /** For one that resolves to no file: the closest names that exist. */
  suggestions: string[];
  /** The partial's declared parameters, when it declares any. */
  declared?: ParameterDeclaration[];
  /** Following it leads back to the including file: the files of the loop, from the partial to the including file, as shown. */
  cycle?: string[];
  /** The partial exists but cannot be used: unreadable, binary or too large. */
  problem?: string;
  /** The partials it pulls in, and theirs, run deeper than MAX_INCLUDE_DEPTH. */
  tooDeep?: boolean;
}

/** A file as the graph read it. */
export interface GraphFile {
  file: string;
  text: string;
  dialect: Dialect;
  scan: TemplateScan;
  schema: Schema | undefined;
}

/** One way a sending template reaches a partial, in that template's terms. */
export interface Reach {
  sender: string;
  context: CallContext;
  /** `contextKey(context)`: reaches with the same key read the partial alike. */
  contextKey: string;
}

interface Entry {
  version: string | undefined;
  file?: GraphFile;
  problem?: string;
}

/** What the includer index keeps of every template: its include sites only, not its scan. */
interface SitesEntry {
  version: string | undefined;
  sites: IncludeSite[];
  /** Its purpose directives: a partial is judged by the purposes of the templates that send it. */
  purposeDirectives: PurposeDirective[];
  /** The dialect it was read in, when it may include anything: its partials' where nothing else tells. */
  dialect?: DialectId;
  /** The purposes that cover it under a schema, worked out once per schema while the file is unchanged. */
  purposes?: { schema: Schema; list: Purpose[] };
}

/**
 * What every include form starts with: a template without any includes nothing, and is not scanned
 * for the graph (tags, not bare words: "includes" and "render" are common in email copy).
 */
const MAY_INCLUDE = /\{%-?\s*(?:render|include|import|from|extends)\b|content_blocks|\{\{~?#?>|snippet|ContentBlockBy|TreatAsContent/i;

/** Whether the include graph scans a template with this text for what it includes (see MAY_INCLUDE). */
export function mayInclude(text: string): boolean {
  return MAY_INCLUDE.test(text) && !looksBinary(text);
}

export class PartialWorkspace {
  /** Partials read whole, with their scans: few, and read again and again. */
  private readonly entries = new Map<string, Entry>();
  private readonly sites = new Map<string, SitesEntry>();
  private readonly resolvers = new Map<string, PartialResolver>();
  /** Partial to the files that include it; built on first need, kept up to date per changed file. */
  private includers: Map<string, Set<string>> | undefined;
  private readonly targetsByFile = new Map<string, string[]>();
  /** Where each include site read so far resolves; sites are read again when their file changes. */
  private targets = new WeakMap<IncludeSite, IncludeTarget>();
  /** Bumped whenever who-includes-what changes: answers derived from the index are then worked out again. */
  private indexGeneration = 0;
  private readonly reachCache = new Map<string, { reaches: Reach[]; through: Map<string, SitesEntry>; indexGeneration: number }>();
  /** Files edited since the includer index last read them. */
  private readonly staleInIndex = new Set<string>();
  /** The templates' common folder, where includes resolve without a schema. */
  private templatesFolder: string | undefined;

  /**
   * Scans made for the includer index, kept until the file's own analysis takes them (`handOverScans`):
   * a run that analyses every template once, as `check` does, then scans each once, not twice.
   */
  private readonly unclaimedScans = new Map<string, { text: string; scan: TemplateScan; dialect: Dialect }>();

  constructor(private readonly schemas: SchemaIndex, private readonly texts: TemplateTexts, private readonly options: { handOverScans?: boolean } = {}) {}

  /** The file's text, dialect and scan, or why it cannot be used; undefined when it does not exist. */
  read(file: string): GraphFile | { problem: string } | undefined {
    const version = this.texts.version?.(file);
    const cached = this.entries.get(file);
    if (cached && version !== undefined && cached.version === version) return outcome(cached);
    let text: string | undefined;
    try {
      text = this.texts.read(file);
    } catch (error) {
      return this.remember(file, { version, problem: `it could not be read (${error instanceof Error ? error.message : String(error)})` });
    }
    if (text === undefined) return this.remember(file, { version });
    if (cached?.file && cached.file.text === text) return this.remember(file, { version, file: cached.file });
    const schema = this.schemas.schemaFor(file)?.result?.schema;
    if (looksBinary(text)) return this.remember(file, { version, problem: 'it looks like a binary file, not a template' });
    const bytes = Buffer.byteLength(text);
    const limit = maxFileSizeFor(schema);
    if (bytes > limit) return this.remember(file, { version, problem: `${formatBytes(bytes)} is over the ${formatBytes(limit)} limit` });
    return this.remember(file, { version, file: this.scanned(file, text, schema) });
  }

  /** A file's text read as the analysis reads it: in its dialect (see `dialectChoice`), and scanned unless the scan is given. */
  scanned(file: string, text: string, schema: Schema | undefined, scan?: TemplateScan, choice = this.dialectChoice(file, text, schema)): GraphFile {
    return this.scannedIn(getDialect(choice.id, schema), file, text, schema, scan);
  }

  /**
   * A file's dialect: as `check` chooses it, except where nothing chose it (no glob, no `dialect`,
   * an `.html` extension, no telling syntax): then that of the templates that include it, when they
   * agree. A Handlebars layout's `header.html` holding only `{{first_name}}` is Handlebars, and its
   * fixes must be written in Handlebars.
   */
  dialectChoice(file: string, text: string, schema: Schema | undefined): DialectChoice {
    const choice = chooseDialect(schema, toPosix(path.relative(schema?.dir ?? path.dirname(file), file)), text);
    if (choice.reason !== 'default') return choice;
    const ids = new Set<DialectId>();
    for (const includer of this.includerIndex().get(file) ?? []) {
      const id = this.sites.get(includer)?.dialect;
      if (id) ids.add(id);
    }
    return ids.size === 1 ? { id: [...ids][0], reason: 'including templates' } : choice;
  }

  private scannedIn(dialect: Dialect, file: string, text: string, schema: Schema | undefined, scan?: TemplateScan): GraphFile {
    const unclaimed = this.unclaimedScans.get(file);
    if (unclaimed) {
      this.unclaimedScans.delete(file);
      if (!scan && unclaimed.text === text && unclaimed.dialect === dialect) scan = unclaimed.scan;
    }
    return { file, text, dialect, scan: scan ?? dialect.scan(text), schema };
  }

  private remember(file: string, entry: Entry): GraphFile | { problem: string } | undefined {
    this.entries.set(file, entry);
    return outcome(entry);
  }

  /** The include sites of any template, scanning it only when it may hold one. */
  private sitesOf(file: string): IncludeSite[] {
    return this.sitesEntry(file).sites;
  }

  private sitesEntry(file: string): SitesEntry {
    const version = this.texts.version?.(file);
    const cached = this.sites.get(file);
    if (cached && version !== undefined && cached.version === version) return cached;
    const entry: SitesEntry = { version, sites: [], purposeDirectives: [] };
    try {
      const text = this.texts.read(file);
      if (text !== undefined && mayInclude(text)) {
        // Read in its own dialect: the includer index, which `dialectChoice` asks, is being built from these.
        const schema = this.schemas.schemaFor(file)?.result?.schema;
        const dialect = getDialect(chooseDialect(schema, toPosix(path.relative(schema?.dir ?? path.dirname(file), file)), text).id, schema);
        const { scan } = this.scannedIn(dialect, file, text, schema);
        entry.sites = scan.includes ?? [];
        entry.purposeDirectives = scan.purposeDirectives;
        entry.dialect = dialect.id;
        if (this.options.handOverScans) this.unclaimedScans.set(file, { text, scan, dialect });
      }
    } catch {
      // An unreadable template includes nothing; checking it says why.
    }
    this.sites.set(file, entry);
    return entry;
  }

  /** The purposes that cover a sending template: the schema's, by glob, and those it names in its own comments. */
  purposesOf(file: string, schema: Schema): Purpose[] {
    const entry = this.sitesEntry(file);
    if (entry.purposes?.schema !== schema) {
      entry.purposes = { schema, list: purposesForTemplate(schema, toPosix(path.relative(schema.dir, file)), entry.purposeDirectives) };
    }
    return entry.purposes.list;
  }

  /** A file's text changed (typing in an editor): what it includes is read again. */
  contentChanged(file: string): void {
    this.entries.delete(file);
    this.sites.delete(file);
    // Read again when the index is next asked: a burst of keystrokes costs one scan, not one each.
    if (this.includers) this.staleInIndex.add(file);
  }

  /** Forgets a file that changed, appeared or disappeared, and every resolution (a new file may be the one a name wanted). */
  invalidate(file: string): void {
    for (const resolver of this.resolvers.values()) resolver.clear();
    this.targets = new WeakMap();
    this.templatesFolder = undefined;
    if (path.basename(file) === 'mergewise.json') {
      this.entries.clear();
      this.sites.clear();
      this.resolvers.clear();
      this.includers = undefined;
    } else {
      // Resolutions changed: every file's targets may have.
      this.entries.delete(file);
      this.sites.delete(file);
      this.includers = undefined;
    }
  }

  /** Resolves each include of a file that the graph has read. */
  includesOf(graphFile: GraphFile): ResolvedInclude[] {
    return (graphFile.scan.includes ?? []).map((site) => this.resolveSite(graphFile, site));
  }

  private resolveSite(from: GraphFile, site: IncludeSite): ResolvedInclude {
    const resolver = this.resolverFor(from.file, from.schema);
    const target = resolver.resolve(site, from.file);
    const resolved: ResolvedInclude = { site, how: target.how, suggestions: target.suggestions };
    if (!target.file) return resolved;
    const shown = (file: string) => toPosix(path.relative(resolver.root, file));
    resolved.file = target.file;
    resolved.shown = shown(target.file);
    const read = this.read(target.file);
    if (!read) {
      resolved.problem = 'it disappeared';
    } else if ('problem' in read) {
      resolved.problem = read.problem;
    } else {
      if (read.scan.parameters?.length) resolved.declared = read.scan.parameters;
      const loop = this.loopBack(target.file, from.file);
      if (loop === 'too-deep') resolved.tooDeep = true;
      else if (loop) resolved.cycle = loop.map(shown);
    }
    return resolved;
  }

  /**
   * Whether following `start`'s includes leads back to `home`: the files of the loop, or
   * 'too-deep' when the chain runs past MAX_INCLUDE_DEPTH first. Iterative, so a chain of any
   * depth never overflows the stack.
   */
  private loopBack(start: string, home: string): string[] | 'too-deep' | undefined {
    if (start === home) return [start];
    const stack: { file: string; depth: number; chain: string[] }[] = [{ file: start, depth: 1, chain: [start] }];
    const seen = new Set<string>([start]);
    let tooDeep = false;
    while (stack.length) {
      const { file, depth, chain } = stack.pop()!;
      for (const next of this.targetsOf(file)) {
        if (next === home) return [...chain, home];
        if (seen.has(next)) continue;
        if (depth >= MAX_INCLUDE_DEPTH) { tooDeep = true; continue; }
        seen.add(next);
        stack.push({ file: next, depth: depth + 1, chain: [...chain, next] });
      }
    }
    return tooDeep ? 'too-deep' : undefined;
  }

  /** The files a file's includes resolve to. */
  private targetsOf(file: string): string[] {
    const targets: string[] = [];
    for (const site of this.sitesOf(file)) {
      const target = this.targetOf(file, site);
      if (target) targets.push(target);
    }
    return targets;
  }

  private targetOf(file: string, site: IncludeSite): string | undefined {
    const cached = this.targets.get(site);
    if (cached) return cached.file;
    const target = this.resolverFor(file, this.schemas.schemaFor(file)?.result?.schema).resolve(site, file);
    this.targets.set(site, target);
    return target.file;
  }

  private resolverFor(file: string, schema: Schema | undefined): PartialResolver {
    const root = schema?.dir ?? this.workspaceRootOf(file);
    let resolver = this.resolvers.get(root);
    if (!resolver) this.resolvers.set(root, (resolver = new PartialResolver(this.schemas.fileSystem, root, schema)));
    return resolver;
  }

  /** Without a schema, includes resolve within the templates' common folder. */
  private workspaceRootOf(file: string): string {
    this.templatesFolder ??= this.texts.templates().reduce<string | undefined>(
      (common, template) => commonFolder(common ?? path.dirname(template), template), undefined);
    return commonFolder(this.templatesFolder ?? path.dirname(file), file);
  }

  /**
   * Where `sender` includes what leads to `file` (the partial itself, or one that includes it): what
   * an "included by" link opens. Of several, the one that passes `field` when one does.
   */
  includeSiteToward(sender: string, file: string, field?: string): Span | undefined {
    const canReach = this.filesReaching(file);
    const toward = this.sitesOf(sender).filter((site) => {
      const target = this.targetOf(sender, site);
      return target !== undefined && canReach.has(target);
    });
    return (toward.find((site) => site.parameters.some((argument) => argument.path === field)) ?? toward[0])?.tagSpan;
  }

  /** The files that include `file` directly. */
  directIncluders(file: string): string[] {
    return [...(this.includerIndex().get(file) ?? [])].sort();
  }

  /**
   * The sending templates `file` reaches: those that include it, directly or through other partials,
   * and that no file includes. Partials only ever included from a loop fall back to their direct includers.
   */
  sendersOf(file: string): string[] {
    const index = this.includerIndex();
    const senders = new Set<string>();
    const seen = new Set<string>([file]);
    const queue = [...(index.get(file) ?? [])];
    for (const each of queue) seen.add(each);
    while (queue.length) {
      const current = queue.shift()!;
      const above = [...(index.get(current) ?? [])].filter((f) => f !== current);
      if (above.length === 0) senders.add(current);
      for (const next of above) {
        if (!seen.has(next)) { seen.add(next); queue.push(next); }
      }
    }
    return senders.size ? [...senders].sort() : this.directIncluders(file);
  }

  /**
   * Every way the sending templates reach `file`, in their terms: a partial is checked once per
   * distinct context, with the caller's parameters, loops and guards.
   */
  reachesOf(file: string): Reach[] {
    const canReach = this.filesReaching(file);
    // Kept while the index and the include sites of every file the walk went through are unchanged:
    // typing in a partial that thousands of templates send walks none of them again.
    const cached = this.reachCache.get(file);
    if (cached && cached.indexGeneration === this.indexGeneration && this.unchangedSites(cached.through)) return cached.reaches;
    const reaches: Reach[] = [];
    const through = new Map<string, SitesEntry>();
    for (const sender of this.sendersOf(file)) {
      const seenContexts = new Set<string>();
      let paths = 0;
      const stack: { at: string; context: CallContext; depth: number; chain: Set<string> }[] =
        [{ at: sender, context: TOP_LEVEL, depth: 0, chain: new Set([sender]) }];
      while (stack.length && paths < MAX_PATHS_PER_SENDER) {
        const { at, context, depth, chain } = stack.pop()!;
        const entry = this.sitesEntry(at);
        through.set(at, entry);
        for (const site of entry.sites) {
          const target = this.targetOf(at, site);
          if (!target || !canReach.has(target) || chain.has(target) || depth >= MAX_INCLUDE_DEPTH) continue;
          const inner = innerContext(context, site);
          if (target === file) {
            paths++;
            const key = contextKey(inner);
            if (!seenContexts.has(key)) { seenContexts.add(key); reaches.push({ sender, context: inner, contextKey: key }); }
          } else {
            stack.push({ at: target, context: inner, depth: depth + 1, chain: new Set([...chain, target]) });
          }
        }
      }
    }
    this.reachCache.set(file, { reaches, through, indexGeneration: this.indexGeneration });
    return reaches;
  }

  /** Whether every file's include sites are still the entry read then. */
  private unchangedSites(read: Map<string, SitesEntry>): boolean {
    for (const [file, entry] of read) if (this.sitesEntry(file) !== entry) return false;
    return true;
  }

  /** `file` and every file that includes it, directly or not. */
  private filesReaching(file: string): Set<string> {
    const index = this.includerIndex();
    const reaching = new Set<string>([file]);
    const queue = [file];
    while (queue.length) {
      for (const includer of index.get(queue.shift()!) ?? []) {
        if (!reaching.has(includer)) { reaching.add(includer); queue.push(includer); }
      }
    }
    return reaching;
  }

  /** The partials `file` pulls in, directly or not, each with the contexts it is read in from `file`. */
  partialsOf(file: string): { file: string; context: CallContext }[] {
    const found: { file: string; context: CallContext }[] = [];
    const stack: { at: string; context: CallContext; depth: number; chain: Set<string> }[] =
      [{ at: file, context: TOP_LEVEL, depth: 0, chain: new Set([file]) }];
    const seen = new Set<string>();
    while (stack.length && found.length < MAX_PATHS_PER_SENDER * 4) {
      const { at, context, depth, chain } = stack.pop()!;
      for (const site of this.sitesOf(at)) {
        const target = this.targetOf(at, site);
        if (!target || chain.has(target) || depth >= MAX_INCLUDE_DEPTH) continue;
        const inner = innerContext(context, site);
        const key = `${target}\0${contextKey(inner)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        found.push({ file: target, context: inner });
        stack.push({ at: target, context: inner, depth: depth + 1, chain: new Set([...chain, target]) });
      }
    }
    return found;
  }

  private includerIndex(): Map<string, Set<string>> {
    if (!this.includers) {
      this.indexGeneration++;
      this.includers = new Map();
      this.targetsByFile.clear();
      this.staleInIndex.clear();
      for (const template of this.texts.templates()) this.reindex(template);
    }
    for (const file of this.staleInIndex) this.reindex(file);
    this.staleInIndex.clear();
    return this.includers;
  }

  /** Replaces what `file` includes in the includer index. */
  private reindex(file: string): void {
    const index = this.includers;
    if (!index) return;
    const before = this.targetsByFile.get(file) ?? [];
    for (const target of before) index.get(target)?.delete(file);
    const targets = this.targetsOf(file);
    if (targets.length !== before.length || targets.some((target, i) => target !== before[i])) this.indexGeneration++;
    this.targetsByFile.set(file, targets);
    for (const target of targets) {
      let set = index.get(target);
      if (!set) index.set(target, (set = new Set()));
      set.add(file);
    }
  }
}

/** The deepest folder that holds both `folder` and `file`. */
export function commonFolder(folder: string, file: string): string {
  let common = folder;
  while (!`${file}${path.sep}`.startsWith(`${common}${path.sep}`) && path.dirname(common) !== common) common = path.dirname(common);
  return common;
}

function outcome(entry: Entry): GraphFile | { problem: string } | undefined {
  return entry.file ?? (entry.problem ? { problem: entry.problem } : undefined);
}
