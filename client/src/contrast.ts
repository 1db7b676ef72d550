/**
 * WCAG contrast arithmetic for collaborators' colors. People pick their color for a light page
 * (dark enough for white label text); on a dark editor the same caret can all but vanish, so the
 * caret, selection and label colors are derived per theme from the chosen color.
 */

/** Carets and selection edges are graphics: WCAG 1.4.11 asks 3:1 against what is next to them. */
export const MIN_CARET_CONTRAST = 3;
/** Label text is small text: 4.5:1 (WCAG 1.4.3). */
export const MIN_TEXT_CONTRAST = 4.5;

type Rgb = [number, number, number];

function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return [0, 0, 0];
  return [parseInt(m[1] as string, 16), parseInt(m[2] as string, 16), parseInt(m[3] as string, 16)];
}

function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** Relative luminance of a `#rrggbb` color (0 black … 1 white). */
export function luminance(hex: string): number {
  const [r, g, b] = parseHex(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `amount` 0 keeps `color`, 1 gives `target`. */
export function mix(color: string, target: string, amount: number): string {
  const a = parseHex(color);
  const b = parseHex(target);
  return toHex(a.map((c, i) => c + ((b[i] as number) - c) * amount) as Rgb);
}

/**
 * `color` itself when it already stands out from `background` by `minRatio`, else the closest
 * tint (toward white on a dark background, toward black on a light one) that does. The hue is
 * kept, so people stay told apart by color.
 */
export function readableOn(
  color: string,
  background: string,
  minRatio = MIN_CARET_CONTRAST,
): string {
  if (contrastRatio(color, background) >= minRatio) return color;
  const target = luminance(background) < 0.5 ? '#ffffff' : '#000000';
  for (let step = 1; step <= 20; step++) {
    const candidate = mix(color, target, step / 20);
    if (contrastRatio(candidate, background) >= minRatio) return candidate;
  }
  return target;
}

/** White or near-black label text, whichever reads better on `background`. */
export function labelTextOn(background: string): string {
  return contrastRatio('#ffffff', background) >= contrastRatio('#0d1117', background)
    ? '#ffffff'
    : '#0d1117';
}
