import type { ParameterDeclaration, PurposeDirective } from './dialect';

const DIRECTIVE = /mergewise\s+purposes?\s*:\s*([\w.-]+(?:\s*,\s*[\w.-]+)*)/gi;

/** Finds `mergewise purpose: a, b` in the text of a comment that starts at `offset`. */
export function findPurposeDirectives(comment: string, offset: number, into: PurposeDirective[]): void {
  DIRECTIVE.lastIndex = 0;
  for (let match = DIRECTIVE.exec(comment); match; match = DIRECTIVE.exec(comment)) {
    const listStart = match.index + match[0].length - match[1].length;
    const idPattern = /[\w.-]+/g;
    for (let id = idPattern.exec(match[1]); id; id = idPattern.exec(match[1])) {
      const start = offset + listStart + id.index;
      into.push({ purpose: id[0], span: { start, end: start + id[0].length } });
    }
  }
}

/** `@param {type} name - description`, with `[name]` for an optional parameter (LiquidDoc's form). */
const PARAMETER = /@param\b[ \t]*(?:\{([^}\n]*)\}[ \t]*)?(\[[ \t]*[\w.-]+[ \t]*\]|[\w.-]+)(?:[ \t]*-?[ \t]*([^\n@]*))?/g;

/**
 * Finds the parameters a partial declares in the text of a comment that starts at `offset`: a
 * LiquidDoc `{% doc %}` body, or, in dialects without one, a comment that says `mergewise` and
 * lists `@param` lines the same way.
 */
export function findParameterDeclarations(comment: string, offset: number, into: ParameterDeclaration[]): void {
  PARAMETER.lastIndex = 0;
  for (let match = PARAMETER.exec(comment); match; match = PARAMETER.exec(comment)) {
    const written = match[2];
    const optional = written.startsWith('[');
    const name = optional ? written.slice(1, -1).trim() : written;
    const nameStart = offset + match.index + match[0].indexOf(written);
    const declaration: ParameterDeclaration = { name, required: !optional, span: { start: nameStart, end: nameStart + written.length } };
    const type = match[1]?.trim();
    if (type) declaration.type = type;
    const description = match[3]?.trim();
    if (description) declaration.description = description;
    into.push(declaration);
  }
}
