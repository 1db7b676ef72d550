import { describe, expect, it } from 'vitest';
import { contrastRatio, labelTextOn, luminance, readableOn } from '../src/contrast.js';
import { USER_COLORS } from '../src/user.js';
import { EDITOR_BACKGROUND } from '../src/theme.js';

describe('contrast', () => {
  it('computes WCAG luminance and ratios', () => {
    expect(luminance('#000000')).toBe(0);
    expect(luminance('#ffffff')).toBeCloseTo(1);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21);
    expect(contrastRatio('#777777', '#777777')).toBeCloseTo(1);
  });

  it('keeps every default color readable on both editor backgrounds, with readable label text', () => {
    for (const scheme of ['light', 'dark'] as const) {
      const background = EDITOR_BACKGROUND[scheme];
      for (const color of USER_COLORS) {
        const caret = readableOn(color, background);
        expect(contrastRatio(caret, background)).toBeGreaterThanOrEqual(3);
        expect(contrastRatio(labelTextOn(caret), caret)).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it('leaves a color alone when it already stands out, and lightens a dark one on dark', () => {
    expect(readableOn('#0969da', EDITOR_BACKGROUND.light)).toBe('#0969da');
    const lifted = readableOn('#0550ae', EDITOR_BACKGROUND.dark);
    expect(lifted).not.toBe('#0550ae');
    expect(luminance(lifted)).toBeGreaterThan(luminance('#0550ae'));
    // A pale color someone chose is darkened on the light editor instead.
    expect(luminance(readableOn('#ffee99', EDITOR_BACKGROUND.light))).toBeLessThan(
      luminance('#ffee99'),
    );
  });
});
