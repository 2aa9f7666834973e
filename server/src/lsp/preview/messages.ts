/**
 * What the language server and its render worker say to each other. Both ends import these types
 * only; values cross the thread boundary by structured clone (Maps and Dates included).
 */
import type { PartialSources } from '../../core/partials/render';
import type { RenderLimits } from '../../core/dialects/dialect';
import type { DialectId } from '../../core/dialects/ids';
import type { Recipient } from '../../core/preview/recipients';
import type { Schema } from '../../core/schema/types';
import type { PreviewRecipient } from '../../../../protocol/src/requests';

/** Everything one preview needs: the template as the editor holds it, and whom to render it for. */
export interface RenderJob {
  text: string;
  dialect: DialectId;
  schema: Schema | undefined;
  recipients: (Recipient & { picked?: boolean })[];
  now: Date;
  limits: RenderLimits;
  plainText: boolean;
  /** The partials the template reaches, for rendering its includes. */
  partials: PartialSources;
}

export type ToWorker = { type: 'render'; id: number; job: RenderJob; start: number };

export type FromWorker =
  | { type: 'ready' }
  /** One recipient rendered; the worker goes on with the next. */
  | { type: 'result'; id: number; index: number; result: PreviewRecipient }
  | { type: 'done'; id: number };
