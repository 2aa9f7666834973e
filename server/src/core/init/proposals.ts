/** The text `mergewise init` writes into a field's description when it proposes a value for the user to review. */
export const PROPOSAL_MARKER = 'proposed: review';
