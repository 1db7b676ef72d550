import { describe, expect, it } from 'vitest';
import { QuireError, isQuireError } from '../src/index.js';

describe('QuireError', () => {
  it('is an Error that carries a machine-readable code next to its message', () => {
    const error = new QuireError('frame-truncated', 'unexpected end');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('QuireError');
    expect(error.code).toBe('frame-truncated');
    expect(error.message).toBe('unexpected end');
    expect(isQuireError(error)).toBe(true);
  });

  it('is not confused with other errors or with look-alike objects', () => {
    expect(isQuireError(new Error('x'))).toBe(false);
    expect(isQuireError(new TypeError('The encoded data was not valid'))).toBe(false);
    expect(isQuireError({ name: 'QuireError', code: 'frame-empty', message: '' })).toBe(false);
    expect(isQuireError(undefined)).toBe(false);
  });
});
