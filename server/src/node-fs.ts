import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkspaceFileSystem } from './core/workspace';
import { decodeText } from './text-encoding';

/** The disk, as the core sees it: a missing file is `undefined`, an unreadable one throws. */
export const nodeFileSystem: WorkspaceFileSystem = {
  readText(filePath: string): string | undefined {
    try {
      const text = fs.readFileSync(filePath, 'utf8');
      // A UTF-16 byte order mark reads as two replacement characters in UTF-8: only then are the bytes
      // read again and decoded (reading every file as bytes first kept their buffers around longer).
      return text.startsWith('\uFFFD\uFFFD') ? decodeText(fs.readFileSync(filePath)) : text;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw error;
    }
  },
  stamp(filePath: string): string | undefined {
    try {
      const stat = fs.statSync(filePath);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : `unreadable: ${code}`;
    }
  },
  readDir(dir: string): string[] | undefined {
    try {
      return fs.readdirSync(dir);
    } catch {
      return undefined;
    }
  },
  listFiles(dir: string): string[] {
    const files: string[] = [];
    const walk = (current: string, prefix: string) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(current, { withFileTypes: true });
      } catch {
        return; // A folder that vanished or cannot be listed holds no files we can use.
      }
      for (const entry of entries) {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        if (entry.isDirectory()) walk(path.join(current, entry.name), `${prefix}${entry.name}/`);
        else if (entry.isFile()) files.push(`${prefix}${entry.name}`);
      }
    };
    walk(dir, '');
    return files;
  },
};
