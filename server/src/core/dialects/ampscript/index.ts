/**
 * AMPscript (Salesforce Marketing Cloud): `%%FirstName%%`, `%%=v(@firstName)=%%`, and
 * `%%[ … ]%%` blocks with SET, IF/ELSEIF/ELSE/ENDIF, FOR/NEXT and functions such as
 * `AttributeValue`, `IIF`, `Empty`, `Lookup` and `ProperCase`.
 */
import { AMPSCRIPT_SYSTEM_TAGS } from './system-tags';
import type { CompletionEntry, Dialect, FieldUse, TextEdit } from '../dialect';
import { ampscriptCompletionSite } from './completion-site';
import { renderAmpscript } from './evaluator';
import { attributeReferenceSpan, quote, referenceOf } from './reference';
import { scanAmpscript } from './scanner';

/**
 * AMPscript's delimiters, or a personalization string alone: footers and plain content blocks often
 * hold nothing else. Only Marketing Cloud's own strings (`%%view_email_url%%`) and attribute names
 * as it writes them (`%%FirstName%%`): Account Engagement's layout and variable tags are lower case
 * (`%%content%%`, `%%first_name%%`), and must not be read (or fixed) as AMPscript.
 */
const AMPSCRIPT_SIGNATURE = new RegExp(`%%\\[|%%=|%%(?:[A-Z]\\w*|${AMPSCRIPT_SYSTEM_TAGS.names().filter((name) => /^\w+$/.test(name)).join('|')})%%`);

const FUNCTIONS: [string, string, string][] = [
  ['AttributeValue', 'A subscriber attribute; empty (not an error) when the sending data extension lacks it', 'AttributeValue("${1:FirstName}")'],
  ['V', 'Outputs a variable: %%=v(@name)=%%', 'v(${1:@name})'],
  ['IIF', 'One of two values by a condition: IIF(Empty(@x), "there", @x)', 'IIF(${1:Empty(@firstName)}, "${2:there}", ${3:@firstName})'],
  ['Empty', 'True when a value is empty or null', 'Empty(${1:@value})'],
  ['IsNull', 'True when a value is null', 'IsNull(${1:@value})'],
  ['Concat', 'Joins text', 'Concat(${1:"Hi "}, ${2:@firstName})'],
  ['ProperCase', 'Capitalizes Each Word', 'ProperCase(${1:@value})'],
  ['Uppercase', 'All upper case', 'Uppercase(${1:@value})'],
  ['Lowercase', 'All lower case', 'Lowercase(${1:@value})'],
  ['Trim', 'Removes surrounding spaces', 'Trim(${1:@value})'],
  ['Length', 'Number of characters', 'Length(${1:@value})'],
  ['Substring', 'Part of a text (1-based)', 'Substring(${1:@value}, ${2:1}, ${3:10})'],
  ['Replace', 'Replaces every occurrence', 'Replace(${1:@value}, "${2}", "${3}")'],
  ['Format', 'Formats a number or date with a .NET pattern: "C", "N2", "MMMM d, yyyy"', 'Format(${1:@value}, "${2:MMMM d, yyyy}")'],
  ['FormatDate', 'Formats a date: "S", "L", "ISO" or a pattern', 'FormatDate(${1:@date}, "${2:MMMM d, yyyy}")'],
  ['FormatNumber', 'Formats a number: "N2", "C"', 'FormatNumber(${1:@value}, "${2:N2}")'],
  ['FormatCurrency', 'Formats money for a culture', 'FormatCurrency(${1:@value}, "${2:en-US}")'],
  ['DateAdd', 'Adds time to a date: units Y, M, D, H, MI', 'DateAdd(${1:@date}, ${2:7}, "${3:D}")'],
  ['DateDiff', 'Time between two dates', 'DateDiff(${1:Now()}, ${2:@date}, "${3:D}")'],
  ['Now', 'The send time', 'Now()'],
  ['Lookup', 'One value from a data extension row', 'Lookup("${1:DataExtension}", "${2:ReturnField}", "${3:KeyField}", ${4:_subscriberkey})'],
  ['LookupRows', 'Matching rows of a data extension', 'LookupRows("${1:DataExtension}", "${2:KeyField}", ${3:_subscriberkey})'],
  ['Row', 'One row of a rowset (1-based)', 'Row(${1:@rows}, ${2:@i})'],
  ['RowCount', 'Number of rows in a rowset', 'RowCount(${1:@rows})'],
  ['Field', 'One column of a row', 'Field(${1:@row}, "${2:Column}")'],
  ['Output', 'Writes a value from inside a block', 'Output(${1:v(@value)})'],
  ['RaiseError', 'Stops the send for this subscriber', 'RaiseError("${1:reason}", ${2:true})'],
  ['RedirectTo', 'A tracked link to a computed URL', 'RedirectTo(${1:@url})'],
  ['CloudPagesURL', 'A link to a CloudPage with the subscriber context', 'CloudPagesURL(${1:123})'],
];

const STATEMENTS: [string, string, string][] = [
  ['SET', 'Assigns a variable', 'SET ${1:@name} = ${2:AttributeValue("FirstName")}'],
  ['VAR', 'Declares variables', 'VAR ${1:@name}'],
  ['IF', 'Runs content when a condition holds', 'IF ${1:NOT Empty(@firstName)} THEN\n  $0\nENDIF'],
  ['ELSEIF', 'Another condition', 'ELSEIF ${1:condition} THEN'],
  ['ELSE', 'Runs when no condition held', 'ELSE'],
  ['FOR', 'Repeats for each number in a range', 'FOR ${1:@i} = 1 TO ${2:RowCount(@rows)} DO\n  $0\nNEXT ${1:@i}'],
  ['fallback', 'Gives a variable a value when its attribute is empty', 'IF Empty(${1:@firstName}) THEN SET ${1:@firstName} = "${2:there}" ENDIF'],
];

export const ampscript: Dialect = {
  id: 'ampscript',
  label: 'AMPscript (Salesforce Marketing Cloud)',
  syntax: {
    extensions: ['.ampscript', '.amp'],
    signature: AMPSCRIPT_SIGNATURE,
    openers: ['%%=', '%%[', '%%'],
    closers: ['=%%', ']%%'],
    rawSyntax: /%%\[|\]%%|%%=|=%%/,
  },
  scan: scanAmpscript,
  render: renderAmpscript,
  fallbackEdit(text: string, use: FieldUse, fallback: string): TextEdit | undefined {
    if (use.context !== 'output') return undefined;
    // Joined into a longer text (`Concat("https://x.example/?e=", AttributeValue("City"))`): the
    // fallback goes around the field's own reference, not the whole output, which would replace the
    // rest of the link with it. A variable joined so is fixed where it is set, which is not here.
    if (use.writtenBefore !== undefined) {
      const span = attributeReferenceSpan(text, use);
      if (!span) return undefined;
      const reference = text.slice(span.start, span.end);
      return { span, newText: `IIF(Empty(${reference}), ${quote(fallback)}, ${reference})` };
    }
    const tag = text.slice(use.tagSpan.start, use.tagSpan.end);
    if (tag.startsWith('%%=') && tag.endsWith('=%%')) {
      // `%%=v(@x)=%%` -> `%%=IIF(Empty(@x), "there", v(@x))=%%`
      const innerStart = use.tagSpan.start + 3;
      const innerEnd = use.tagSpan.end - 3;
      const inner = text.slice(innerStart, innerEnd).trim();
      const reference = referenceOf(text, use) ?? inner;
      return { span: { start: innerStart, end: innerEnd }, newText: `IIF(Empty(${reference}), ${quote(fallback)}, ${inner})` };
    }
    if (tag.startsWith('%%') && tag.endsWith('%%') && !tag.startsWith('%%[')) {
      // `%%FirstName%%` -> an inline expression with the fallback.
      const reference = `AttributeValue(${quote(use.path)})`;
      return { span: use.tagSpan, newText: `%%=IIF(Empty(${reference}), ${quote(fallback)}, ${reference})=%%` };
    }
    return undefined;
  },
  purposeDirective(purposeIds: string[]): string {
    return `%%[ /* mergewise purpose: ${purposeIds.join(', ')} */ ]%%`;
  },
  missingValueOutcome: 'nothing, leaving a gap in the copy (as in "Hi ,"); an attribute the sending data extension lacks fails the send',
  filters: FUNCTIONS.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet })),
  tags: STATEMENTS.map(([label, detail, snippet]): CompletionEntry => ({ label, detail, snippet })),
  completionSite: ampscriptCompletionSite,
  systemTags: AMPSCRIPT_SYSTEM_TAGS,
  filterInputs: {
    FormatDate: 'date', DateAdd: 'date', DateDiff: 'date', DatePart: 'date', SystemDateToLocalDate: 'date', LocalDateToSystemDate: 'date',
    FormatNumber: 'number', FormatCurrency: 'number', Add: 'number', Subtract: 'number', Multiply: 'number', Divide: 'number', Mod: 'number',
    RowCount: 'array', Row: 'array',
  },
};
