// Client input quoted in error messages, cut short: an error names what was sent without echoing all of it.

/** Longest piece of client input an error message quotes; longer input is cut, so errors stay small. */
export const MAX_ECHO = 64;

/** Client input for an error message, as it is (an id, a name), cut to {@link MAX_ECHO} characters. */
export function clipInput(text: string): string {
  return text.length <= MAX_ECHO ? text : `${text.slice(0, MAX_ECHO)}... (${text.length} chars)`;
}

/** Client input quoted for an error message: JSON-quoted (control characters escaped), cut to {@link MAX_ECHO} characters. */
export function echoInput(text: string): string {
  return text.length <= MAX_ECHO
    ? JSON.stringify(text)
    : `${JSON.stringify(text.slice(0, MAX_ECHO))}... (${text.length} chars)`;
}
