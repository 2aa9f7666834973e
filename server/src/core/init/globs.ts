/**
 * The `templates` globs that give every template the dialect it was detected in: per extension, the
 * highest folder whose templates of that extension are all in one dialect gets `folder/**\/*.ext`;
 * files in a folder of mixed dialects are named one by one.
 */
import type { DialectId } from '../dialects/ids';
import { comparePaths } from './infer';

export interface TemplateDialect {
  path: string;
  dialect: DialectId;
}

interface Folder {
  files: TemplateDialect[];
  folders: Map<string, Folder>;
  dialects: Set<DialectId>;
}

/** Characters picomatch reads as glob syntax, escaped in folder and file names. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]{}()!+@\\]/g, '\\$&');
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

export function templateGlobs(templates: TemplateDialect[]): { glob: string; dialect: DialectId }[] {
  const byExtension = new Map<string, TemplateDialect[]>();
  for (const template of templates) {
    const extension = extensionOf(template.path);
    const group = byExtension.get(extension);
    if (group) group.push(template);
    else byExtension.set(extension, [template]);
  }
  const globs: { glob: string; dialect: DialectId }[] = [];
  for (const [extension, files] of byExtension) {
    const root: Folder = { files: [], folders: new Map(), dialects: new Set() };
    for (const file of files) {
      const segments = file.path.split('/');
      let folder = root;
      folder.dialects.add(file.dialect);
      for (const segment of segments.slice(0, -1)) {
        let next = folder.folders.get(segment);
        if (!next) folder.folders.set(segment, (next = { files: [], folders: new Map(), dialects: new Set() }));
        folder = next;
        folder.dialects.add(file.dialect);
      }
      folder.files.push(file);
    }
    const cover = (folder: Folder, prefix: string) => {
      if (folder.dialects.size === 1 && extension) {
        globs.push({ glob: `${prefix}**/*${escapeGlob(extension)}`, dialect: [...folder.dialects][0] });
        return;
      }
      for (const file of folder.files) globs.push({ glob: escapeGlob(file.path), dialect: file.dialect });
      for (const [name, sub] of folder.folders) cover(sub, `${prefix}${escapeGlob(name)}/`);
    };
    cover(root, '');
  }
  return globs.sort((a, b) => comparePaths(a.glob, b.glob));
}
