/**
 * The partials a preview renders: every include a template reaches, resolved from the file that
 * writes it, with the partial's text. Plain data, so that it can cross to the render worker.
 */
import type { Dialect, IncludeKind, RenderPartial } from '../dialects/dialect';
import { MAX_INCLUDE_DEPTH } from './limits';
import type { PartialWorkspace } from './workspace';

/** Partial texts by include kind and name (`render\0greeting`). */
export type PartialSources = Record<string, { file: string; text: string }>;

export function partialSources(graph: PartialWorkspace, file: string): PartialSources {
  const sources: PartialSources = {};
  const queue: { file: string; depth: number }[] = [{ file, depth: 0 }];
  const seen = new Set([file]);
  while (queue.length) {
    const { file: at, depth } = queue.shift()!;
    const read = graph.read(at);
    if (!read || 'problem' in read) continue;
    for (const include of graph.includesOf(read)) {
      const { site } = include;
      if (site.name === null || !include.file || include.problem) continue;
      const key = sourceKey(site.kind, site.name);
      const partial = graph.read(include.file);
      if (!partial || 'problem' in partial) continue;
      // The first resolution of a name wins: the platform, too, looks a name up once per send.
      sources[key] ??= { file: include.file, text: partial.text };
      if (!seen.has(include.file) && depth < MAX_INCLUDE_DEPTH) {
        seen.add(include.file);
        queue.push({ file: include.file, depth: depth + 1 });
      }
    }
  }
  return sources;
}

/** Looks partials up for a rendering in `dialect`, scanning each once. */
export function partialLookup(sources: PartialSources, dialect: Dialect): (kind: IncludeKind, name: string) => RenderPartial | undefined {
  const scanned = new Map<string, RenderPartial>();
  return (kind, name) => {
    const source = sources[sourceKey(kind, name)];
    if (!source) return undefined;
    let partial = scanned.get(source.file);
    if (!partial) {
      const scan = dialect.scan(source.text);
      partial = { file: source.file, text: source.text, scan, schemaPathOf: (index) => scan.uses[index]?.path };
      scanned.set(source.file, partial);
    }
    return partial;
  };
}

function sourceKey(kind: IncludeKind, name: string): string {
  return `${kind}\0${name}`;
}
