/**
 * The decisions behind "Create mergewise.json from these templates", as pure functions so that they
 * are tested without VS Code: when to offer it, and what to say once it is done.
 */
import type { InitResult } from '../../protocol/src/requests';

export const INIT_COMMAND = 'mergewise.init';
export const INIT_TITLE = 'Create mergewise.json from these templates';
/** workspaceState key: the offer was shown and not taken; it is not shown again in this workspace. */
export const INIT_DISMISSED_KEY = 'mergewise.initOfferDismissed';

export interface InitOfferState {
  /** A mergewise.json is already in the folder (the template is outside what it governs). */
  schemaExists: boolean;
  /** The offer was shown in this workspace before and not taken (workspaceState). */
  dismissed: boolean;
  /** The offer was already shown since the extension started. */
  offeredThisSession: boolean;
}

/**
 * What to show when the server says a template has no mergewise.json above it: the offer, at most
 * once per workspace; the server's plain notice when a mergewise.json exists elsewhere in the
 * folder (creating one would not help); or nothing, once the offer has been turned down.
 */
export function initOffer(state: InitOfferState): 'offer' | 'notice' | 'nothing' {
  if (state.schemaExists) return state.offeredThisSession ? 'nothing' : 'notice';
  if (state.dismissed || state.offeredThisSession) return 'nothing';
  return 'offer';
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The short message after the files are created. */
export function initSummaryMessage(result: InitResult, created: string[]): string {
  const s = result.summary;
  const recipients = created.filter((file) => file !== 'mergewise.json').length;
  let text = `Mergewise: created ${created.includes('mergewise.json') ? 'mergewise.json' : 'nothing new'}` +
    `${recipients ? ` and ${count(recipients, 'sample recipient')}` : ''}: ${count(s.fields, 'field')} from ${count(s.templates, 'template')}.`;
  if (s.proposals.length) text += ` ${count(s.proposals.length, 'source or sensitivity proposal', 'source or sensitivity proposals')} to review (marked in mergewise.json).`;
  if (s.typeUnknown.length) text += ` ${count(s.typeUnknown.length, 'field')} left untyped (the templates do not tell).`;
  const findings = Object.values(s.findings).reduce((sum, n) => sum + n, 0);
  if (findings) text += ` Checks now report ${count(findings, 'finding')} in the templates.`;
  if (result.kept.length) text += ` Kept as they were: ${result.kept.join(', ')}.`;
  return text;
}
