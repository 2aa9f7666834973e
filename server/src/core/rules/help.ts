/**
 * Each rule's documentation, read from the README's own sections (`### rule-id` under `## Rules`), so
 * that the README stays the one place the prose is written. The command line's bundle carries that
 * part of the README (esbuild.mjs); the SARIF report gives each rule its section as `help`.
 */
import { plainText } from '../docs';
import { RULES_DOCS_URL } from './rule';

export interface RuleHelp {
  /** The section's first paragraph, as plain text. */
  summary: string;
  /** The whole section, as markdown; links within the README point at it on GitHub. */
  markdown: string;
  /** The whole section as plain text. */
  text: string;
}

/** The `## Rules` part of a README: from its heading to the next `## ` heading. */
export function rulesPart(readme: string): string {
  const start = readme.search(/^## Rules$/m);
  if (start === -1) return '';
  const next = readme.slice(start + 1).search(/^## /m);
  return next === -1 ? readme.slice(start) : readme.slice(start, start + 1 + next);
}

/** Each rule's section in the `## Rules` part of a README, by rule id. */
export function ruleHelp(readme: string): Map<string, RuleHelp> {
  const help = new Map<string, RuleHelp>();
  const sections = rulesPart(readme).split(/^### /m).slice(1);
  for (const section of sections) {
    const newline = section.indexOf('\n');
    const id = section.slice(0, newline).trim();
    const markdown = section.slice(newline + 1).trim()
      .replace(/\]\(#([\w-]+)\)/g, (_, anchor: string) => `](${RULES_DOCS_URL}#${anchor})`);
    const text = asPlainText(markdown);
    const summary = text.split(/\n\s*\n/)[0].replace(/\s*\n\s*/g, ' ');
    help.set(id, { summary, markdown, text });
  }
  return help;
}

/** Markdown as plain text: links as their text, code spans and emphasis unmarked, code blocks as they are without their fences. */
function asPlainText(markdown: string): string {
  return markdown.split(/^```[^\n]*\n([\s\S]*?)^```$/m)
    .map((part, i) => (i % 2 ? part.replace(/\n$/, '') : plainText(part.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1'))))
    .join('');
}
