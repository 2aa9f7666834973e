import * as fs from 'node:fs';
import type { WorkspaceFileSystem } from '../core/workspace';

/** The disk, as the core sees it: a missing file is `undefined`, an unreadable one throws. */
export const nodeFileSystem: WorkspaceFileSystem = {
  readText(filePath: string): string | undefined {
    try {
      return fs.readFileSync(filePath, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw error;
    }
  },
};
