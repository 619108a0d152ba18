// The one check that refuses an unknown option, shared by every factory that takes an options object.

import { OptionError } from './errors.js';

/**
 * Every option name of `T`, as a record: listing them this way makes an option added to `T` but not listed a
 * compile error, so the check below never refuses a real option.
 */
export type OptionNames<T> = Readonly<Record<keyof T, true>>;

/**
 * Throw an `OptionError` for options that are not an object (`HS_ERR_OPTION_TYPE`) or hold a name `known` lacks
 * (`HS_ERR_OPTION_UNKNOWN`, the first one): a misspelt option would otherwise be ignored in silence. `what` starts
 * the message (`Memory store options`); `path` prefixes the option named (`throttle.` for a nested object). Costs
 * one lookup per option given, so it may run on every call of a decoder.
 */
export function checkOptionNames(what: string, options: unknown, known: object, path = ''): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const option = path.endsWith('.') ? path.slice(0, -1) : path;
    throw new OptionError('HS_ERR_OPTION_TYPE', option, `${what}: expected an options object`);
  }
  for (const k in options) {
    if (Object.hasOwn(options, k) && !Object.hasOwn(known, k))
      throw new OptionError('HS_ERR_OPTION_UNKNOWN', `${path}${k}`, `${what}: unknown option ${JSON.stringify(k)}`);
  }
}

/** An option that takes one of a few values (a mode name, a version, true/false), checked: undefined or one of `choices`. */
export function choiceOption<T extends string | number | boolean>(
  what: string,
  name: string,
  value: T | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined || choices.includes(value)) return value;
  const code = typeof value === typeof choices[0] ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
  const allowed = choices.map((c) => JSON.stringify(c)).join(' or ');
  throw new OptionError(code, name, `${what}: ${name} must be ${allowed}, got ${JSON.stringify(value)}`);
}
