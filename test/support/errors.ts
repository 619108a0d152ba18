// Assertions on thrown library errors by their stable code (tests assert codes, never message text).

import { expect } from 'vitest';
import { type ErrorCode, HaystackError, OptionError } from '../../src/core/errors.js';

/** Asserts that `fn` throws a HaystackError with this code, and returns it. */
export function expectCode(fn: () => unknown, code: ErrorCode): HaystackError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${code} to be thrown`).toBeInstanceOf(HaystackError);
  const err = thrown as HaystackError;
  expect(err.code).toBe(code);
  return err;
}

/** Asserts that `fn` throws a ValueError (`HS_ERR_INVALID_VALUE`). */
export function expectInvalid(fn: () => unknown): HaystackError {
  const err = expectCode(fn, 'HS_ERR_INVALID_VALUE');
  expect(err.name).toBe('ValueError');
  return err;
}

/** Options a JavaScript caller might pass: outside the declared types on purpose (`never` fits any parameter). */
export const untyped = (v: unknown): never => v as never;

/** What `make` threw or rejected with, asserted to be an OptionError, as `[code, option]`. */
export async function optionProblem(make: () => unknown): Promise<[string, string]> {
  let thrown: unknown;
  try {
    await make();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected an OptionError').toBeInstanceOf(OptionError);
  const err = thrown as OptionError;
  return [err.code, err.option];
}
