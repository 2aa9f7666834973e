/**
 * axe-core, run inside a page or one of its frames (a webview is a frame in a frame): the checks a
 * screen-reader user and a low-vision user depend on. Only serious and critical violations fail a
 * test; the others are returned too, to be reported. The frames inside the checked document (the
 * email previews: the template author's markup, not ours) are left out.
 */
import { createRequire } from 'node:module';

/** What playwright-core's Page and Frame both offer, as used here. */
export interface Evaluates {
  evaluate<T>(expression: string): Promise<T>;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  /** Each failing element, by its CSS selector, with axe's summary of why. */
  nodes: string[];
}

const AXE_SOURCE: string = createRequire(__filename)('axe-core').source;

export async function axeViolations(target: Evaluates): Promise<AxeViolation[]> {
  // Evaluated through the debugger protocol, so a page whose CSP allows only its own nonce still runs it.
  if (!(await target.evaluate<boolean>('typeof window.axe === "object"'))) await target.evaluate(`${AXE_SOURCE}; true`);
  return target.evaluate<AxeViolation[]>(`window.axe.run(document, { iframes: false, resultTypes: ['violations'] }).then((result) =>
    result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' ')) })))`);
}

/** The violations a test fails on. */
export function seriousOrCritical(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 8).join('\n  ')}${v.nodes.length > 8 ? `\n  and ${v.nodes.length - 8} more` : ''}`).join('\n');
}
