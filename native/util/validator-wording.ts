// For tests: the marks of a validator's own wording (zod's prettifyError "✖ … → at …", its
// "Expected …, received …" and "Invalid input"), which no message a person reads may carry —
// messages are worded by util/describe.ts. One pattern for every capability's tests.
export const VALIDATOR_WORDING = /✖|→|[Ee]xpected|received|Invalid input/;
