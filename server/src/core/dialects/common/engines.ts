/**
 * The template engines the previews render with (and Handlebars' parser, which confirms a clean
 * Handlebars scan), loaded on first use rather than with the module that uses them: checking a
 * Liquid template needs neither, and evaluating them is most of a short command's start-up. The
 * command line's bundle goes further and keeps each in a file of its own, read only when it is
 * loaded here (`dist/engines/`, see esbuild.mjs).
 */
import type * as LiquidJs from 'liquidjs';
import type HandlebarsJs from 'handlebars';

let liquidjs: typeof LiquidJs | undefined;
let handlebars: typeof HandlebarsJs | undefined;

/** liquidjs. */
export function liquidEngine(): typeof LiquidJs {
  return (liquidjs ??= require('liquidjs') as typeof LiquidJs);
}

/** handlebars.js (its module's exports are the default environment). */
export function handlebarsEngine(): typeof HandlebarsJs {
  return (handlebars ??= require('handlebars') as typeof HandlebarsJs);
}
