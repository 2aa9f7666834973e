import type { WorkspaceFileSystem } from '../../server/src/core/workspace';

/** A file system in memory, keyed by absolute path; an Error is a file that cannot be read. */
export function memoryFs(files: Record<string, string | Error>): WorkspaceFileSystem {
  return {
    readText(file: string) {
      const content = files[file];
      if (content instanceof Error) throw content;
      return content;
    },
    listFiles: (dir: string) => Object.keys(files).filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)),
  };
}
