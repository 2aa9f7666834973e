import type { IncludeArgument, ParameterDeclaration } from '../dialects/dialect';
import { closestNames } from '../closest';
import { resolveField } from '../schema/resolve';
import type { FieldType } from '../schema/types';
import { code, type Rule, type TemplateContext } from './rule';

export const partialParameter: Rule = {
  meta: {
    id: 'partial-parameter',
    defaultSeverity: 'warning',
    summary: 'An include leaves out a parameter the partial requires, passes one it does not declare, or passes a value of the wrong type.',
    needsSchema: false,
  },
  check(context, report) {
    for (const { site, declared, shown } of context.includes) {
      if (!declared) continue;
      const partial = code(shown ?? site.name ?? '');
      const passed = new Set(site.parameters.map((argument) => argument.name));
      const byName = new Map(declared.map((parameter) => [parameter.name, parameter]));
      // A partial that shares the caller's scope can read the caller's variable of the same name.
      const visible = site.sharesScope ? new Set(Object.keys(site.loopVariables ?? {})) : new Set<string>();
      const missing = declared.filter((parameter) => parameter.required && !passed.has(parameter.name) && !visible.has(parameter.name));
      if (missing.length) {
        report(site.nameSpan,
          `${partial} requires ${missing.map((p) => code(p.name)).join(', ')}, which this include does not pass: ` +
          `the partial renders ${missing.length === 1 ? 'it' : 'them'} blank. Pass ${missing.map((p) => `${p.name}: …`).join(', ')}.`);
      }
      for (const argument of site.parameters) {
        const parameter = byName.get(argument.name);
        if (!parameter) {
          if (/^\d+$/.test(argument.name)) continue; // Positional arguments are declared by name, not position.
          const suggestions = closestNames(argument.name, [...byName.keys()], 1);
          report(argument.span,
            `${partial} declares no parameter ${code(argument.name)}, so the value passed is never shown` +
            (suggestions.length ? `. Did you mean ${code(suggestions[0])}?` : `; it declares ${[...byName.keys()].map(code).join(', ') || 'none'}.`),
            undefined, suggestions.length ? { suggestions } : undefined);
          continue;
        }
        const mismatch = typeMismatch(context, argument, parameter);
        if (mismatch) report(argument.span, `${partial} expects ${code(parameter.name)} to be ${parameter.type}, but ${mismatch}.`);
      }
    }
  },
};

/** LiquidDoc's types, and the schema types each accepts. Platform object types (`product`) are not checked. */
const ACCEPTS: Record<string, FieldType[]> = {
  string: ['string', 'date'],
  number: ['number'],
  boolean: ['boolean'],
  object: ['object'],
  array: ['array'],
  date: ['date', 'string'],
};

function typeMismatch(context: TemplateContext, argument: IncludeArgument, parameter: ParameterDeclaration): string | undefined {
  const accepted = parameter.type ? ACCEPTS[parameter.type.toLowerCase().replace(/\[\]$/, '')] : undefined;
  if (!accepted) return undefined;
  const wantsArray = parameter.type!.endsWith('[]');
  if (argument.literal) {
    return wantsArray || !accepted.includes(argument.literal) ? `a ${argument.literal} is passed` : undefined;
  }
  if (!argument.path || !context.schema || argument.loop) return undefined;
  const resolution = resolveField(context.schema, context.dialect.id, argument.path);
  if (resolution.kind !== 'field') return undefined;
  const type = argument.path.endsWith('[]') && resolution.field.type === 'array' ? undefined : resolution.field.type;
  if (!type) return undefined;
  if (wantsArray) return type === 'array' ? undefined : `${code(argument.path)} is a ${type} in mergewise.json`;
  return accepted.includes(type) ? undefined : `${code(argument.path)} is ${type === 'array' ? 'an' : 'a'} ${type} in mergewise.json`;
}
