import type { Dialect, TemplateScan } from './dialect';

/**
 * For platforms that keep a field's default outside the template (Mailchimp's audience "default
 * merge value"), the schema's `fallback` stands for it: an output with no fallback written in the
 * template gets the field's. Other dialects' scans are returned as they are.
 */
export function withSchemaFallbacks(dialect: Dialect, scan: TemplateScan, fallbackOf: (useIndex: number) => string | undefined): TemplateScan {
  if (!dialect.schemaFallbacks) return scan;
  let changed = false;
  const uses = scan.uses.map((use, index) => {
    if (use.context !== 'output' || use.fallback !== null) return use;
    const fallback = fallbackOf(index);
    if (fallback === undefined) return use;
    changed = true;
    return { ...use, fallback };
  });
  return changed ? { ...scan, uses } : scan;
}
