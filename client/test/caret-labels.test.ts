import { afterEach, describe, expect, it } from 'vitest';
import { LabelActivity } from '../src/caret-labels.js';
import { parseThemeSetting } from '../src/color-scheme.js';

let activity: LabelActivity | null = null;
afterEach(() => activity?.destroy());

describe('LabelActivity', () => {
  it('shows a label from a move until its time is up, then asks for a redraw', async () => {
    let expired = 0;
    activity = new LabelActivity(() => expired++, 30);
    expect(activity.isActive(7)).toBe(false);
    activity.touch([7]);
    expect(activity.isActive(7)).toBe(true);
    expect(activity.isActive(8)).toBe(false);
    await expect.poll(() => expired).toBe(1);
    expect(activity.isActive(7)).toBe(false);
  });

  it('a later move extends the time; a person who leaves is forgotten', () => {
    activity = new LabelActivity(() => {}, 1_000);
    activity.touch([1, 2], 0);
    activity.touch([1], 900);
    expect(activity.isActive(1, 1_500)).toBe(true);
    expect(activity.isActive(2, 1_500)).toBe(false);
    activity.forget([1]);
    expect(activity.isActive(1, 1_000)).toBe(false);
  });
});

describe('parseThemeSetting', () => {
  it('accepts light and dark; anything else follows the system', () => {
    expect(parseThemeSetting('light')).toBe('light');
    expect(parseThemeSetting('dark')).toBe('dark');
    for (const other of ['auto', '', null, 'Dark', 42])
      expect(parseThemeSetting(other)).toBe('auto');
  });
});
