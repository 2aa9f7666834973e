/**
 * Bounds that keep every scanner safe on hostile input (issue 8): a template nested 10,000 levels deep
 * must neither overflow the stack nor slow a keystroke down.
 *
 * Real emails nest a handful of levels. The platforms' own engines give up long before these limits
 * (Django and Jinja at Python's recursion limit, handlebars.js at the JavaScript stack), so a template
 * past them is broken anyway: the scanner says so once and reads on without nesting any deeper.
 */

/** Deepest nesting of blocks, and of parentheses or sub-expressions inside one tag, that a scanner follows. */
export const MAX_NESTING = 100;

/** Most operators, filters, calls and member accesses in one expression (each one deepens its tree). */
export const MAX_EXPRESSION_PARTS = 1000;

/** The message for nesting past MAX_NESTING; `what` is "Blocks", "Parentheses"… */
export function tooDeepMessage(what: string): string {
  return `${what} nested more than ${MAX_NESTING} levels deep: far deeper than any email needs, and the platform may refuse it. ` +
    'Mergewise does not check what is nested deeper. Flatten the template.';
}

/** The message for an expression with more than MAX_EXPRESSION_PARTS parts. */
export function tooLongMessage(): string {
  return `An expression with more than ${MAX_EXPRESSION_PARTS} operators, filters or parts: far longer than any email needs, and the platform may refuse it. ` +
    'Mergewise does not check the rest of it. Split it up.';
}
