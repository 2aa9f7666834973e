import { analyzeSchema, analyzeTemplate, type SeverityOverrides, type TemplateAnalysis } from '../../server/src/core/analyze';
import { liquid } from '../../server/src/core/dialects/liquid';
import type { Diagnostic, DiagnosticCode } from '../../server/src/core/model';
import { loadSchema, type SchemaLoadResult } from '../../server/src/core/schema/load';
import type { Schema } from '../../server/src/core/schema/types';

export const SCHEMA_PATH = '/workspace/mergewise.json';
export const SCHEMA_DIR = '/workspace';
/** A fixed "today", so staleness and dates never depend on when the tests run. */
export const NOW = new Date('2026-11-26T12:00:00Z');

/** Loads a `mergewise.json` text as if it were at /workspace/mergewise.json. */
export function load(text: string): SchemaLoadResult {
  return loadSchema(text, SCHEMA_PATH, SCHEMA_DIR);
}

/**
 * A schema from an inline JSON(C) text or object. Throws on any load error, so a typo in a test's
 * schema fails loudly instead of quietly testing something else.
 */
export function schemaOf(json: string | object): Schema {
  const loaded = load(typeof json === 'string' ? json : JSON.stringify(json));
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`test schema does not load: ${errors.map((d) => d.message).join('; ')}`);
  return loaded.schema;
}

export interface AnalyzeOptions {
  relativePath?: string;
  severityOverrides?: SeverityOverrides;
  now?: Date;
}

/** Analyzes a Liquid template against a schema (or none), as the editor and the CLI do. */
export function analyze(text: string, schema: Schema | undefined, options: AnalyzeOptions = {}): TemplateAnalysis {
  return analyzeTemplate({
    text,
    relativePath: options.relativePath ?? 'emails/test.liquid',
    dialect: liquid,
    schema,
    severityOverrides: options.severityOverrides,
    now: options.now ?? NOW,
  });
}

/** The diagnostics of one rule only. */
export function findings(text: string, schema: Schema | undefined, rule: DiagnosticCode, options: AnalyzeOptions = {}): Diagnostic[] {
  return analyze(text, schema, options).diagnostics.filter((d) => d.rule === rule);
}

/** The diagnostics of `mergewise.json` itself: its structure and `purpose-incomplete`. */
export function schemaFindings(text: string, overrides?: SeverityOverrides): Diagnostic[] {
  return analyzeSchema(load(text), overrides);
}
