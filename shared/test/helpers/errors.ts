import { isQuireError } from '../../src/index.js';

/**
 * Runs `fn` and returns the QuireError code it threw, so a test can assert the exact code.
 * Anything else (no error, or an error without a code) comes back as a descriptive string that
 * no assertion on a code can match.
 */
export function errorCodeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isQuireError(error)) return error.code;
    return `not a QuireError: ${String(error)}`;
  }
  return 'no error thrown';
}
