/**
 * How far includes are followed. Its own module, imported by the include graph and by the rule that
 * reports the limit: the rules are loaded by the analysis that the graph itself loads.
 */

/** Include chains deeper than this are not followed: a diagnostic says so at the include. */
export const MAX_INCLUDE_DEPTH = 32;
