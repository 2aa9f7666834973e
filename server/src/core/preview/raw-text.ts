/** Where raw-text elements open and close in rendered HTML, for placing marks where an element may go. */

const RAW_TEXT_TAG = /<(\/?)(style|script|title|textarea)\b/gi;

/** The raw-text element (`style`…) open at the end of `text`, given the one open before it. */
export function endsInsideRawText(text: string, wasInside: string | undefined): string | undefined {
  let inside = wasInside;
  RAW_TEXT_TAG.lastIndex = 0;
  for (let match = RAW_TEXT_TAG.exec(text); match; match = RAW_TEXT_TAG.exec(text)) {
    const name = match[2].toLowerCase();
    if (match[1]) {
      if (inside === name) inside = undefined;
    } else if (!inside) {
      inside = name;
    }
  }
  return inside;
}
