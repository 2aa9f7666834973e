import * as path from 'node:path';
import { modulesOf } from '../../core/partials/ide';
import type { ModuleEntry } from '../../../../protocol/src/requests';
import type { Project } from '../project';

/** The workspace's partials for the modules view, once the workspace is indexed (until then, who includes what is not known). */
export async function modules(project: Project, workspaceFolders: string[], indexed: Promise<void>): Promise<ModuleEntry[]> {
  await indexed;
  const files = workspaceFolders.flatMap((folder) => project.fileSystem.listFiles(folder).map((file) => path.join(folder, file)).filter((file) => project.isTemplate(file)));
  return modulesOf(project.partials, files);
}
