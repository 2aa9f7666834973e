/**
 * The language server's view of the workspace: open documents over the disk, analyses cached per
 * document version, schemas and sample recipients cached until their files change, and an index of
 * field uses across the workspace for references and rename.
 */
import * as path from 'node:path';
import type { Range } from 'vscode-languageserver';
import type { DialectId } from '../core/dialects/ids';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { SeverityOverrides } from '../core/analyze';
import { RULE_IDS, SEVERITY_SETTINGS, type Diagnostic, type RuleId, type SeveritySetting } from '../core/model';
import { DEDICATED_TEMPLATE_EXTENSIONS } from '../core/dialects/registry';
import { fieldUsesThroughCallers } from '../core/partials/ide';
import { PartialWorkspace } from '../core/partials/workspace';
import { LineIndex } from '../core/positions';
import { loadRecipients, type Recipient, type RecipientFileResult } from '../core/preview/recipients';
import { SCHEMA_FILE_NAME } from '../core/schema/load';
import { AUDIENCE_SNAPSHOT_FILE_NAME } from '../core/audience/snapshot';
import { coverageSummary } from '../core/audience/editor';
import type { AudienceInfo } from '../../../protocol/src/requests';
import type { Schema } from '../core/schema/types';
import {
  analyzeDocument, configurationError, declaredFieldUses, DEFAULT_MAX_FILE_SIZE, describeSkip, isTemplateIn, maxFileSizeFor,
  SchemaIndex, schemaDiagnostics, skipReason, usesOfDeclaredFields, type DeclaredUse, type DocumentAnalysis, type SkipReason, type WorkspaceFileSystem,
} from '../core/workspace';
import { uriToPath } from './convert';
import { WorkspaceIndex } from './workspace-index';

export interface Settings {
  rules: SeverityOverrides;
  maxFileSize: number;
  inlayHints: boolean;
}

export const DEFAULT_SETTINGS: Settings = { rules: {}, maxFileSize: DEFAULT_MAX_FILE_SIZE, inlayHints: true };

/**
 * The `mergewise` settings section as a client sends it (pulled, pushed or in `initializationOptions`),
 * with defaults for what is missing. Entries that make no sense are left out and named in `problems`.
 */
export function settingsFrom(section: unknown): { settings: Settings; problems: string[] } {
  const raw = isObject(section) ? section : {};
  const problems: string[] = [];
  const rules: SeverityOverrides = {};
  if (raw.rules !== undefined && !isObject(raw.rules)) problems.push('mergewise.rules must be an object of rule ids to severities.');
  for (const [rule, severity] of Object.entries(isObject(raw.rules) ? raw.rules : {})) {
    if (!(RULE_IDS as readonly string[]).includes(rule)) problems.push(`mergewise.rules: unknown rule "${rule}"; the rules are ${RULE_IDS.join(', ')}.`);
    else if (typeof severity !== 'string' || !(SEVERITY_SETTINGS as readonly string[]).includes(severity)) problems.push(`mergewise.rules.${rule} must be error, warning, information, hint or off, not ${JSON.stringify(severity)}.`);
    else rules[rule as RuleId] = severity as SeveritySetting;
  }
  let maxFileSize = DEFAULT_SETTINGS.maxFileSize;
  if (raw.maxFileSize !== undefined) {
    if (typeof raw.maxFileSize === 'number' && Number.isInteger(raw.maxFileSize) && raw.maxFileSize > 0) maxFileSize = raw.maxFileSize;
    else problems.push(`mergewise.maxFileSize must be a positive whole number of bytes, not ${JSON.stringify(raw.maxFileSize)}.`);
  }
  const inlayHints = isObject(raw.inlayHints) && typeof raw.inlayHints.enabled === 'boolean' ? raw.inlayHints.enabled : DEFAULT_SETTINGS.inlayHints;
  return { settings: { rules, maxFileSize, inlayHints }, problems };
}

/**
 * The `mergewise` section of settings a client pushes (`workspace/didChangeConfiguration`):
 * `settings.mergewise`, or the settings themselves when they are the section alone (as some
 * editors send them). Undefined when they hold nothing of ours, so that they change nothing.
 */
export function pushedSection(settings: unknown): unknown {
  if (!isObject(settings)) return undefined;
  if (settings.mergewise !== undefined) return settings.mergewise;
  return Object.keys(settings).some((key) => key in DEFAULT_SETTINGS) ? settings : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type DocumentState =
  | { kind: 'template'; version: number; text: string; lines: LineIndex; filePath: string; result: DocumentAnalysis; notice?: Notice }
  | { kind: 'schema'; version: number; text: string; lines: LineIndex; filePath: string; diagnostics: Diagnostic[] }
  /** Not ours to check, with the reason to tell the user when there is one. */
  | { kind: 'ignored'; version: number; notice?: Notice };

/** Something to tell the user once per `key` (not once per keystroke). */
export interface Notice {
  key: string;
  message: string;
}

/** A use of a field somewhere in the workspace, for references and rename. */
export interface IndexedUse extends DeclaredUse {
  range: ReturnType<LineIndex['range']>;
}

export class Project {
  settings: Settings = DEFAULT_SETTINGS;
  private readonly states = new Map<string, DocumentState>();
  private readonly recipients = new Map<string, RecipientFileResult>();
  /** The uses of declared fields in each template on disk, by path. */
  private readonly workspaceIndex = new WorkspaceIndex();
  private indexStale = false;
  /** Every file the workspace scan (or a watched change) asked to index, template or not: indexed again when a schema changes. */
  private readonly workspaceFiles = new Set<string>();
  private readonly activeRecipientBySchema = new Map<string, string>();
  /** The stamp of each schema or recipient file when it was read from disk (see changedOnDisk). */
  private readonly diskStamps = new Map<string, string | undefined>();
  readonly schemas: SchemaIndex;
  /** Who includes what, for checks across files. */
  readonly partials: PartialWorkspace;
  /** Every template known in the workspace: indexed from disk, or opened. */
  private readonly templateFiles = new Set<string>();
  /** The sending template last looked at: partials show their values through it. */
  private focusedTemplate: string | undefined;
  private openIndex: Map<string, TextDocument> | undefined;
  /**
   * Closed templates' stamps on disk, as the include graph last read them. Kept until the file is
   * reported changed when the client watches files for the server; otherwise read again each time
   * the server catches up with the disk (before each answer and publication), once, not per question.
   */
  private readonly templateStamps = new Map<string, string | undefined>();

  constructor(private readonly disk: WorkspaceFileSystem, private readonly openDocuments: () => TextDocument[], readonly now: () => Date) {
    // Open documents win over the disk, so an unsaved mergewise.json already counts.
    this.schemas = new SchemaIndex({
      readText: (filePath) => this.openText(filePath) ?? this.readFromDisk(filePath),
      listFiles: (dir) => disk.listFiles(dir),
      stamp: (filePath) => (this.openText(filePath) !== undefined ? 'open' : disk.stamp?.(filePath)),
      // Open documents count as files in their folder, saved or not.
      readDir: (dir) => {
        const open = [...this.openByPath().keys()].filter((file) => path.dirname(file) === dir).map((file) => path.basename(file));
        const names = disk.readDir?.(dir);
        return names === undefined && open.length === 0 ? undefined : [...(names ?? []), ...open];
      },
    });
    this.partials = new PartialWorkspace(this.schemas, {
      read: (filePath) => this.openText(filePath) ?? disk.readText(filePath),
      version: (filePath) => {
        const open = this.openByPath().get(filePath);
        if (open) return `open ${open.version}`;
        if (!this.templateStamps.has(filePath)) this.templateStamps.set(filePath, disk.stamp?.(filePath));
        return this.templateStamps.get(filePath);
      },
      templates: () => [...new Set([...this.templateFiles, ...this.openTemplatePaths()])],
    });
  }

  private openTemplatePaths(): string[] {
    return [...this.openByPath().keys()].filter((filePath) => this.isTemplate(filePath));
  }

  /** A template here: a template's extension, or named by a `templates` glob of its `mergewise.json` (core/workspace.ts). */
  isTemplate(filePath: string): boolean {
    return isTemplateIn(this.schemas, filePath);
  }

  /**
   * A template typed in: the open templates whose checks read it (those that include it, and the
   * partials it includes) are checked again. Returns their URIs.
   */
  templateEdited(filePath: string): string[] {
    this.partials.contentChanged(filePath);
    return this.forgetRelated(filePath);
  }

  /**
   * A template the user looked at (opened or hovered). The open partials it includes are analysed
   * again to show their values through it. Returns their URIs, to publish again.
   */
  templateFocused(document: TextDocument): string[] {
    // Nothing is analysed here: this runs while messages are still being read (see inbox.ts).
    const filePath = uriToPath(document.uri);
    if (!filePath || !this.isTemplate(filePath) || filePath === this.focusedTemplate) return [];
    this.focusedTemplate = filePath;
    const partials: string[] = [];
    for (const [uri, other] of this.states) {
      if (other.kind === 'template' && other.result.includedBy?.includes(filePath) && other.result.shownThrough !== filePath) {
        this.states.delete(uri);
        partials.push(uri);
      }
    }
    return partials;
  }

  /** Drops the analyses of the other open templates that take part in includes, and returns their URIs. */
  private forgetRelated(filePath: string): string[] {
    const related: string[] = [];
    for (const [uri, state] of this.states) {
      if (state.kind !== 'template' || state.filePath === filePath) continue;
      if (state.result.includes?.length || state.result.includedBy?.length) {
        this.states.delete(uri);
        related.push(uri);
      }
    }
    return related;
  }

  /** Reads a schema or recipient file from disk, remembering its stamp (taken first, so a change while reading shows later). */
  private readFromDisk(filePath: string): string | undefined {
    if (this.disk.stamp) this.diskStamps.set(filePath, this.disk.stamp(filePath));
    return this.disk.readText(filePath);
  }

  /**
   * Schema and recipient files (and places a schema could appear) read from disk that changed since:
   * what a client that does not watch files for the server has not told it. Closed templates' stamps
   * are forgotten too, to be read again when the include graph next asks.
   */
  changedOnDisk(): string[] {
    this.templateStamps.clear();
    return [...this.diskStamps].filter(([filePath, read]) => this.disk.stamp?.(filePath) !== read).map(([filePath]) => filePath);
  }

  /** The analysis of a document at its current version, computed at most once per version. */
  stateOf(document: TextDocument): DocumentState {
    const cached = this.states.get(document.uri);
    if (cached && cached.version === document.version) return cached;
    const state = this.analyze(document);
    this.states.set(document.uri, state);
    return state;
  }

  forget(uri: string): void {
    this.states.delete(uri);
  }

  /** A file changed on disk or in an editor: drop what depends on it. */
  fileChanged(filePath: string): void {
    this.diskStamps.delete(filePath);
    this.templateStamps.delete(filePath);
    this.schemas.invalidate(filePath);
    // The audience snapshot feeds every analysis under its schema, and the schema's own notes.
    const isSchema = path.basename(filePath) === SCHEMA_FILE_NAME || path.basename(filePath) === AUDIENCE_SNAPSHOT_FILE_NAME;
    // Recipients only feed hovers and inlay hints, computed per request; a schema feeds every analysis.
    if (filePath.endsWith('.json')) this.recipients.clear();
    if (isSchema) {
      this.states.clear();
      // Indexed uses are resolved through the schema: re-index when references or rename next need it.
      this.indexStale = true;
    }
    // A saved, created or deleted template: index it as it is on disk now (a deleted one drops out).
    this.workspaceIndex.delete(filePath);
    this.templateFiles.delete(filePath);
    this.indexFile(filePath);
    this.partials.invalidate(filePath);
    this.forgetRelated(filePath);
  }

  settingsChanged(settings: Settings): void {
    this.settings = settings;
    this.states.clear();
  }

  recipientsFor(schema: Schema): RecipientFileResult {
    let loaded = this.recipients.get(schema.file);
    if (!loaded) {
      loaded = loadRecipients(schema, this.schemas.fileSystem);
      this.recipients.set(schema.file, loaded);
    }
    return loaded;
  }

  /** The audience snapshot's word on a document (its template's coverage when measured), for the status bar. */
  audienceInfo(schema: Schema, state: DocumentState | undefined): AudienceInfo | undefined {
    const loaded = this.schemas.audienceFor(schema.file);
    if (loaded?.error !== undefined) return { date: '', rows: 0, old: false, problem: loaded.error };
    return coverageSummary(loaded, state?.kind === 'template' ? state.result.audience : undefined, schema, this.now());
  }

  /** The sample recipient that inlay hints show, per schema; the first one until the user picks. */
  activeRecipient(schema: Schema): Recipient | undefined {
    const { recipients } = this.recipientsFor(schema);
    const chosen = this.activeRecipientBySchema.get(schema.file);
    return recipients.find((r) => r.name === chosen) ?? recipients[0];
  }

  setActiveRecipient(schema: Schema, name: string): boolean {
    if (!this.recipientsFor(schema).recipients.some((r) => r.name === name)) return false;
    this.activeRecipientBySchema.set(schema.file, name);
    return true;
  }

  /** Indexes one file on disk for references and rename; cheap when already indexed. */
  indexFile(filePath: string): void {
    this.workspaceFiles.add(filePath);
    if (this.workspaceIndex.has(filePath) || !this.isTemplate(filePath)) return;
    let text: string | undefined;
    try {
      text = this.disk.readText(filePath);
    } catch {
      return; // Unreadable files have no uses to find; the editor reports them when opened.
    }
    if (text === undefined || this.skipReason(filePath, text)) return;
    this.templateFiles.add(filePath);
    let indexed: IndexedUse[] | undefined;
    try {
      indexed = this.indexText(filePath, text);
    } catch {
      return; // A file its scanner fails on offers no uses; the rest of the workspace is still indexed.
    }
    if (indexed) this.workspaceIndex.set(filePath, indexed);
  }

  /**
   * The workspace scan is done. The include graph was built from the templates known when it was first
   * asked (often only the open ones, analysed before the scan): it is built again over all of them.
   * Returns the URIs of open templates that other templates turn out to include, to publish again.
   */
  workspaceIndexed(workspaceFolders: string[]): string[] {
    // What a file appearing does to the graph: who includes what is worked out again when next asked.
    if (!workspaceFolders.length) return [];
    for (const folder of workspaceFolders) this.partials.invalidate(folder);
    const included: string[] = [];
    for (const [uri, state] of this.states) {
      if (state.kind !== 'template' || state.result.includedBy?.length) continue;
      if (this.partials.directIncluders(state.filePath).length === 0) continue;
      this.states.delete(uri);
      included.push(uri);
    }
    return included;
  }

  /**
   * Where each template that includes the partial at `filePath` does so (passing `field`, when one of
   * its includes does), as a range in that template's text (an open editor's, else the disk's), found
   * once per template and field asked: for "included by" links.
   */
  includeSiteRanges(filePath: string): (sender: string, field: string | undefined) => Range | undefined {
    const found = new Map<string, Range | undefined>();
    const lines = new Map<string, LineIndex | undefined>();
    const linesOf = (sender: string): LineIndex | undefined => {
      if (!lines.has(sender)) {
        const open = this.openText(sender);
        let text: string | undefined;
        try {
          text = open ?? this.disk.readText(sender);
        } catch {
          text = undefined; // Unreadable now: the link opens the template at its start.
        }
        // A client's own text counts a byte-order mark; one read from disk hides it, as editors show it.
        lines.set(sender, text === undefined ? undefined : new LineIndex(text, open !== undefined ? 'counted' : 'hidden'));
      }
      return lines.get(sender);
    };
    return (sender, field) => {
      const key = `${sender}\0${field ?? ''}`;
      if (!found.has(key)) {
        const span = this.partials.includeSiteToward(sender, filePath, field);
        found.set(key, span && linesOf(sender)?.range(span));
      }
      return found.get(key);
    };
  }

  /** The dialect a template is read in, as its analysis reads it; undefined for one that cannot be read. */
  dialectOf(filePath: string): DialectId | undefined {
    let text: string | undefined;
    try {
      text = this.openText(filePath) ?? this.disk.readText(filePath);
    } catch {
      return undefined;
    }
    return text === undefined ? undefined : this.partials.dialectChoice(filePath, text, this.schemas.schemaFor(filePath)?.result?.schema).id;
  }

  /** Uses of `field` in every indexed or open template, by file path. */
  usesOf(field: string): Map<string, IndexedUse[]> {
    if (this.indexStale) {
      this.indexStale = false;
      // Every file seen, not only those indexed: a new mergewise.json makes `.html` files templates.
      this.workspaceIndex.clear();
      for (const filePath of this.workspaceFiles) this.indexFile(filePath);
    }
    const found = new Map<string, IndexedUse[]>();
    const openPaths = new Set<string>();
    for (const document of this.openDocuments()) {
      const state = this.stateOf(document);
      if (state.kind !== 'template') continue;
      openPaths.add(state.filePath);
      const { scan, resolutions } = state.result.analysis;
      const uses = withRanges(usesOfDeclaredFields(scan.uses, resolutions).filter((use) => use.field === field), state.lines);
      if (uses.length) found.set(state.filePath, uses);
    }
    for (const filePath of this.workspaceIndex.paths()) {
      if (openPaths.has(filePath)) continue;
      const uses = this.workspaceIndex.usesOf(filePath, field);
      if (uses.length) found.set(filePath, uses);
    }
    // In a partial, a parameter is the field its callers pass (`name` rendered with `name: customer.first_name`).
    for (const filePath of new Set([...openPaths, ...this.workspaceIndex.paths()])) {
      const through = fieldUsesThroughCallers(this.partials, filePath);
      const known = new Set(found.get(filePath)?.map((use) => use.span.start));
      const added = through?.uses.filter((use) => use.field === field && !known.has(use.span.start)) ?? [];
      if (added.length) found.set(filePath, [...found.get(filePath) ?? [], ...withRanges(added, new LineIndex(through!.text))]);
    }
    return found;
  }

  /** What the workspace index holds (files, uses, distinct strings): what indexing keeps per template. */
  indexCounts(): ReturnType<WorkspaceIndex['counts']> {
    return this.workspaceIndex.counts();
  }

  get fileSystem(): WorkspaceFileSystem {
    return this.schemas.fileSystem;
  }

  private analyze(document: TextDocument): DocumentState {
    const filePath = uriToPath(document.uri);
    const version = document.version;
    if (!filePath) return { kind: 'ignored', version };
    const text = document.getText();
    if (path.basename(filePath) === SCHEMA_FILE_NAME) {
      const loaded = this.schemas.load(filePath);
      const audience = { loaded: this.schemas.audienceFor(filePath), now: this.now(), text };
      return { kind: 'schema', version, text, lines: new LineIndex(text, 'counted'), filePath, diagnostics: schemaDiagnostics(loaded, this.settings.rules, audience) };
    }
    const hasSchema = this.schemas.schemaFileFor(filePath) !== undefined;
    const extension = path.extname(filePath).toLowerCase();
    if (!DEDICATED_TEMPLATE_EXTENSIONS.has(extension) && !(hasSchema && this.isTemplate(filePath))) return { kind: 'ignored', version };
    const skipped = this.skipReason(filePath, text);
    if (skipped) {
      const how = skipped.kind === 'too-large' ? ' (raise it with "maxFileSize" in mergewise.json or the mergewise.maxFileSize setting)' : '';
      return { kind: 'ignored', version, notice: { key: `${skipped.kind} ${filePath}`, message: `Mergewise skipped ${path.basename(filePath)}: ${describeSkip(skipped)}${how}.` } };
    }
    const result = analyzeDocument(this.schemas, filePath, text, this.settings.rules, this.now(), this.partials, this.focusedTemplate);
    // The client's own text: a mark it kept is a character in its positions.
    return { kind: 'template', version, text, lines: new LineIndex(text, 'counted'), filePath, result, notice: this.schemaNotice(filePath) };
  }

  /** Why a template is not checked, by the same rule as the command line's (see core/workspace.ts). */
  private skipReason(filePath: string, text: string): SkipReason | undefined {
    const limit = maxFileSizeFor(this.schemas.schemaFor(filePath)?.result?.schema, undefined, this.settings.maxFileSize);
    // A UTF-16 unit is one to three UTF-8 bytes: the length settles it, unless it is within 3x of the limit.
    const settled = text.length > limit || text.length * 3 <= limit;
    return skipReason({ bytes: settled ? text.length : Buffer.byteLength(text, 'utf8'), text }, limit);
  }

  /** Why a template gets only syntax checks: no `mergewise.json` above it, or one that cannot be read. */
  private schemaNotice(filePath: string): Notice | undefined {
    const loaded = this.schemas.schemaFor(filePath);
    if (!loaded) {
      return {
        key: 'no schema',
        message: `Mergewise found no mergewise.json above ${path.basename(filePath)}, so only syntax checks run. Create one in the templates' folder or above it to check fields, fallbacks and quadrants.`,
      };
    }
    if (loaded.readError) return { key: `unreadable ${loaded.file}`, message: `Mergewise: ${loaded.readError} Only syntax checks run until it can be read.` };
    // A broken mergewise.json stops `mergewise check` in CI: say so here too, where it may not be open.
    // Open, it shows its own diagnostics; a notice per half-typed state would pop up at every keystroke.
    if (this.openByPath().has(loaded.file)) return undefined;
    const broken = configurationError(loaded.result?.diagnostics ?? [], () => new LineIndex(this.schemas.fileSystem.readText(loaded.file) ?? ''));
    if (broken === undefined) return undefined;
    return {
      key: `invalid ${loaded.file} ${broken}`,
      message: `Mergewise: ${path.basename(loaded.file)}:${broken}. mergewise check stops on it; here templates are checked with what could be read of it.`,
    };
  }

  private indexText(filePath: string, text: string): IndexedUse[] | undefined {
    const uses = declaredFieldUses(this.schemas, filePath, text);
    return uses && withRanges(uses, new LineIndex(text));
  }

  openDocument(uri: string): TextDocument | undefined {
    return this.openDocuments().find((document) => document.uri === uri);
  }

  private openText(filePath: string): string | undefined {
    return this.openByPath().get(filePath)?.getText();
  }

  /**
   * The open documents by file path. The include graph asks for every template's version, often, so
   * this is kept rather than found by parsing each open document's URI on every question.
   */
  private openByPath(): Map<string, TextDocument> {
    if (!this.openIndex) {
      this.openIndex = new Map();
      for (const document of this.openDocuments()) {
        const filePath = uriToPath(document.uri);
        if (filePath) this.openIndex.set(filePath, document);
      }
    }
    return this.openIndex;
  }

  /** A document was opened or closed: the next question about open files looks again. */
  openDocumentsChanged(): void {
    this.openIndex = undefined;
  }
}

function withRanges(uses: DeclaredUse[], lines: LineIndex): IndexedUse[] {
  return uses.map((use) => ({ ...use, range: lines.range(use.span) }));
}
