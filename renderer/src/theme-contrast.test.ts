import { describe, expect, it } from 'vitest';
const css = Object.values(import.meta.glob<string>('./styles.css', { query: '?raw', import: 'default', eager: true }))[0] ?? '';

// The light and dark themes (styles.css variables) give every pair of text and background colour the
// app uses at least WCAG 2.1 AA contrast (4.5:1 for text, 3:1 for the focus ring and cable strokes).

function block(source: string, start: number): string {
  const open = source.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++;
    if (source[i] === '}' && --depth === 0) return source.slice(open + 1, i);
  }
  throw new Error('unbalanced block');
}

function vars(text: string): Map<string, string> {
  return new Map([...text.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

const light = vars(block(css, css.indexOf(':root')));
const darkStart = css.indexOf('@media (prefers-color-scheme: dark)');
const dark = new Map([...light, ...vars(block(css, darkStart))]);

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

const TEXT_PAIRS: readonly (readonly [string, string])[] = [
  ['ink', 'bg'], ['ink', 'panel'], ['ink', 'detail-row'], ['ink', 'mgmt-row'], ['ink', 'pic-host'], ['ink', 'code-bg'],
  ['muted', 'panel'], ['muted', 'bg'], ['muted', 'detail-row'], ['link', 'panel'], ['link', 'detail-row'],
  ['danger', 'panel'], ['danger', 'detail-row'], ['danger', 'danger-bg'], ['warn-ink', 'warn-bg'], ['ok-ink', 'ok-bg'], ['ok', 'panel'], ['ok', 'detail-row'],
  ['info-ink', 'info-bg'], ['tag-ink', 'tag-bg'], ['mgmt-ink', 'mgmt-bg'], ['accent-ink', 'accent'], ['pre-ink', 'pre-bg'], ['pre-ink', 'pre-detail-bg'],
  ['side-ink', 'side'], ['side-muted', 'side'], ['side-ink', 'side-hover'], ['pic-warn', 'detail-row'], ['pic-warn', 'panel'],
];
const GRAPHIC_PAIRS: readonly (readonly [string, string])[] = [
  ['focus', 'panel'], ['focus', 'detail-row'], ['focus', 'bg'], ['input-line', 'panel'], ['pic-port-line', 'panel'], ['pic-warn', 'warn-bg'], ['danger', 'danger-bg'], ['ok', 'ok-bg'],
];

describe.each([
  ['light', light],
  ['dark', dark],
] as const)('%s theme', (_name, theme) => {
  const color = (v: string): string => {
    const c = theme.get(v);
    if (c === undefined) throw new Error(`--${v} is not defined`);
    return c;
  };
  it.each(TEXT_PAIRS)('text --%s on --%s is at least 4.5:1', (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(4.5);
  });
  it.each(GRAPHIC_PAIRS)('graphic --%s on --%s is at least 3:1', (fg, bg) => {
    expect(contrast(color(fg), color(bg))).toBeGreaterThanOrEqual(3);
  });
});
