/**
 * Mailchimp merge tag scanner. Hand-written because it runs on every keystroke and must give exact
 * UTF-16 offsets; one pass over the text, linear in its length, going on after every mistake.
 * Mailchimp sends a merge tag it does not recognize as raw text, so every malformed tag is reported.
 */
import type { Span } from '../../model';
import type { Branch, TemplateScan } from '../dialect';
import { closestNames } from '../../closest';
import { ForwardIndex, LineEnds, ScanCollector, shortText } from '../common/scan-collector';
import { findHtmlCommentDirectives } from '../common/html-comments';
import { MAX_NESTING } from '../common/limits';
import { MAILCHIMP_SYSTEM_TAGS } from './system-tags';
import { BLOCKS, MODIFIERS, SYSTEM_PREFIXES, SYSTEM_TAGS, nextTag, readTag, type Condition } from './syntax';

interface Frame {
  block: string;
  tagSpan: Span;
  branches: Branch[];
  /** Paths guarded in the current branch. */
  active: string[];
  /** Paths known to have a value once every condition so far was false. */
  allFalse: string[];
  sawElse: boolean;
}

const RAW = 'Mailchimp sends it to the recipient as raw text';

export function scanMailchimp(text: string): TemplateScan {
  const collector = new ScanCollector(text);
  findHtmlCommentDirectives(text, collector.purposeDirectives);
  const stack: Frame[] = [];
  /** Open blocks by name: an end tag that closes nothing is known without walking the stack (quadratic when deep). */
  const openBlocks = new Map<string, number>();
  const push = (frame: Frame) => {
    stack.push(frame);
    openBlocks.set(frame.block, (openBlocks.get(frame.block) ?? 0) + 1);
  };
  const leaveBranch = (frame: Frame, end: number) => {
    const branch = frame.branches[frame.branches.length - 1];
    if (branch) branch.body.end = end;
    collector.unguard(frame.active);
    frame.active = [];
  };
  const enterBranch = (frame: Frame, tagSpan: Span, guards: string[]) => {
    leaveBranch(frame, tagSpan.start);
    frame.branches.push({ tagSpan, body: { start: tagSpan.end, end: tagSpan.end } });
    frame.active = guards;
    collector.guard(guards);
  };
  const conditionUse = (condition: Condition, tagSpan: Span) => {
    const system = MAILCHIMP_SYSTEM_TAGS.find(condition.name);
    if (system) return collector.addSystemUse(system, condition.name, condition.nameSpan);
    if (SYSTEM_TAGS.has(condition.name.toUpperCase())) return;
    collector.addUse({ path: condition.name, written: condition.name, span: condition.nameSpan, tagSpan, context: 'condition', fallback: null, filters: [] });
  };

  const lines = new LineEnds(text);

  const closes = new ForwardIndex(text, '|*');
  for (let match = nextTag(text, 0, lines, closes); match; match = nextTag(text, match.tagSpan.end, lines, closes)) {
    const { tagSpan } = match;
    const shown = shortText(text, tagSpan, 40);
    if (!match.closed) {
      collector.error(tagSpan, `\`${shown}\` is never closed with \`|*\` on its line: ${RAW}. Close the merge tag with \`|*\`.`);
      continue;
    }
    const tag = readTag(match);
    switch (tag.kind) {
      case 'field':
        collector.addUse({
          path: tag.name, written: tag.name, span: tag.nameSpan, tagSpan, context: 'output', fallback: null,
          filters: tag.modifier ? [tag.modifier] : [],
        });
        break;
      case 'system': {
        const colon = tag.content.indexOf(':');
        const system = MAILCHIMP_SYSTEM_TAGS.find(tag.content) ?? (colon === -1 ? undefined : MAILCHIMP_SYSTEM_TAGS.find(tag.content.slice(colon + 1)));
        if (system) collector.addSystemUse(system, tag.content, { start: match.contentStart, end: match.contentStart + tag.content.length });
        break;
      }
      case 'if':
      case 'ifnot':
      case 'elseif': {
        if (!tag.condition) {
          collector.error(tagSpan, `\`${shown}\` needs a merge tag to test, as in \`*|IF:FNAME|*\` or \`*|IF:FNAME=Ana|*\`: ${RAW}.`);
        } else {
          conditionUse(tag.condition, tagSpan);
        }
        const guards = tag.condition && !SYSTEM_TAGS.has(tag.condition.name.toUpperCase()) ? conditionGuards(tag.condition) : { whenTrue: [], whenFalse: [] };
        const [whenTrue, whenFalse] = tag.kind === 'ifnot' ? [guards.whenFalse, guards.whenTrue] : [guards.whenTrue, guards.whenFalse];
        if (tag.kind === 'elseif') {
          const frame = stack[stack.length - 1];
          if (!frame || frame.block !== 'IF') {
            collector.error(tagSpan, `\`${shown}\` is outside \`*|IF:…|*\`: ${RAW}. Move it inside a conditional, or remove it.`);
            break;
          }
          if (frame.sawElse) collector.error(tagSpan, `\`${shown}\` comes after \`*|ELSE:|*\`: Mailchimp ignores it or sends raw text. Put \`*|ELSE:|*\` last.`);
          enterBranch(frame, tagSpan, [...frame.allFalse, ...whenTrue]);
          // Past MAX_NESTING paths, later branches are not counted as guarded by the earlier conditions:
          // re-guarding all of them at each branch was quadratic in long chains.
          if (frame.allFalse.length < MAX_NESTING) frame.allFalse = [...frame.allFalse, ...whenFalse];
          break;
        }
        const frame: Frame = { block: 'IF', tagSpan, branches: [], active: [], allFalse: whenFalse, sawElse: false };
        push(frame);
        enterBranch(frame, tagSpan, whenTrue);
        break;
      }
      case 'else': {
        const frame = stack[stack.length - 1];
        if (tag.extra.trim()) collector.error(tagSpan, `\`${shown}\` takes nothing after the colon: write \`*|ELSE:|*\`.`);
        if (!frame || (frame.block !== 'IF' && frame.block !== 'INTERESTED')) {
          collector.error(tagSpan, `\`${shown}\` is outside \`*|IF:…|*\`: ${RAW}. Move it inside a conditional, or remove it.`);
          break;
        }
        if (frame.sawElse) collector.error(tagSpan, `A second \`*|ELSE:|*\` in the same conditional: ${RAW}. Remove one.`);
        frame.sawElse = true;
        enterBranch(frame, tagSpan, frame.allFalse);
        break;
      }
      case 'open-block': {
        const frame: Frame = { block: tag.block, tagSpan, branches: [], active: [], allFalse: [], sawElse: false };
        push(frame);
        enterBranch(frame, tagSpan, []);
        break;
      }
      case 'end': {
        // From the top: the innermost block usually matches (mapping the whole stack at each end was quadratic).
        let index = openBlocks.get(tag.block) ? stack.length - 1 : -1;
        while (index >= 0 && stack[index].block !== tag.block) index--;
        if (index === -1) {
          const known = tag.block === 'IF' || BLOCKS.has(tag.block);
          collector.error(tagSpan, known
            ? `\`${shown}\` has no matching \`*|${tag.block}:…|*\`: ${RAW}. Remove it, or add the opening tag.`
            : `\`${shown}\` closes nothing Mailchimp knows: ${RAW}. Conditionals end with \`*|END:IF|*\`.`);
          break;
        }
        while (stack.length > index) {
          const frame = stack.pop()!;
          openBlocks.set(frame.block, (openBlocks.get(frame.block) ?? 1) - 1);
          leaveBranch(frame, tagSpan.start);
          if (stack.length > index) {
            collector.error(frame.tagSpan, `\`${shortText(text, frame.tagSpan, 40)}\` is never closed before \`${shown}\`: ${RAW}. Add \`*|END:${frame.block}|*\`.`);
          } else if (frame.block === 'IF' && frame.branches.length >= 2) {
            collector.branchGroups.push({ tagSpan: frame.tagSpan, branches: frame.branches });
          }
        }
        break;
      }
      case 'invalid': {
        const prefix = match.content.split(':')[0].toUpperCase();
        const suggestion = match.content.includes(':')
          ? closestNames(prefix, ['IF', 'IFNOT', 'ELSEIF', 'ELSE', 'END', ...BLOCKS, ...MODIFIERS, ...SYSTEM_PREFIXES], 1)[0]
          : undefined;
        collector.error(tagSpan, `${tag.message}: ${RAW}.` + (suggestion ? ` Did you mean \`*|${suggestion}:…|*\`?` : ''));
        break;
      }
    }
  }
  for (let i = stack.length - 1; i >= 0; i--) {
    const frame = stack[i];
    leaveBranch(frame, text.length);
    collector.error(frame.tagSpan, `\`${shortText(text, frame.tagSpan, 40)}\` is never closed: ${RAW}, along with everything it should hide. Add \`*|END:${frame.block}|*\`.`);
  }
  return collector.result();
}

function conditionGuards(condition: Condition): { whenTrue: string[]; whenFalse: string[] } {
  const { name, operator, value } = condition;
  if (!operator) return { whenTrue: [name], whenFalse: [] };
  const blank = (value ?? '').trim() === '';
  switch (operator) {
    case '=': return blank ? { whenTrue: [], whenFalse: [name] } : { whenTrue: [name], whenFalse: [] };
    case '!=': return blank ? { whenTrue: [name], whenFalse: [] } : { whenTrue: [], whenFalse: [] };
    default: return { whenTrue: [name], whenFalse: [] };
  }
}
