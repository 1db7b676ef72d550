import { describe, expect, it } from 'vitest';
import { RENAMED_REASON, renamedReason, renamedTarget } from '../src/index.js';

describe('renamedReason / renamedTarget', () => {
  it('carries the new name in the close reason and reads it back', () => {
    expect(renamedReason('team/plan-2')).toBe('renamed to team/plan-2');
    expect(renamedTarget(renamedReason('team/plan-2'))).toBe('team/plan-2');
    expect(renamedTarget(renamedReason('straße/ñ'))).toBe('straße/ñ');
  });

  it('falls back to a reason without the name when it would pass 123 bytes', () => {
    const long = 'é'.repeat(60);
    expect(new TextEncoder().encode(renamedReason(long)).length).toBeLessThanOrEqual(123);
    expect(renamedReason(long)).toBe(RENAMED_REASON);
    expect(renamedTarget(RENAMED_REASON)).toBeNull();
    expect(renamedTarget('document deleted')).toBeNull();
    expect(renamedTarget('renamed to ')).toBeNull();
  });
});
