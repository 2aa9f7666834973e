import { code, knownFieldUses, type Rule } from './rule';

export const sensitiveData: Rule = {
  meta: {
    id: 'sensitive-data',
    defaultSeverity: 'warning',
    summary: 'A sensitive or special-category field written into the copy.',
    needsSchema: true,
  },
  check(context, report) {
    const { uses, fields } = knownFieldUses(context);
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i];
      const field = fields[i];
      if (use.context !== 'output') continue;
      if (field.sensitivity !== 'sensitive' && field.sensitivity !== 'special-category') continue;
      const special = field.sensitivity === 'special-category';
      report(use.span,
        `${code(use.written)} is ${special ? 'special-category data (health, beliefs, ethnicity and the like)' : 'sensitive data'}: ` +
        `written into the email, it can be read by anyone who sees the inbox, and it tells the recipient you hold it. ` +
        `Remove it from the copy; if the email must depend on it, use it only in a condition.`,
        field.path);
    }
  },
};
