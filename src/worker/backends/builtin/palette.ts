/** Colours for the built-in renderer: named colours the prompt can ask for, and mixing helpers. */
export type Rgb = readonly [number, number, number];

/** Hair/eye/outfit colours a prompt can name, tuned to read as anime colours rather than CSS ones. */
export const NAMED_COLOURS = {
  silver: [206, 212, 228],
  white: [244, 244, 248],
  black: [48, 44, 62],
  grey: [150, 152, 165],
  pink: [248, 140, 190],
  red: [214, 58, 72],
  orange: [242, 140, 58],
  blonde: [246, 214, 118],
  gold: [236, 186, 64],
  yellow: [248, 222, 82],
  brown: [134, 86, 56],
  green: [84, 178, 108],
  aqua: [70, 204, 210],
  blue: [74, 122, 226],
  purple: [150, 96, 206],
  lavender: [192, 162, 236],
  amber: [232, 158, 40],
} as const satisfies Record<string, Rgb>;

export type ColourName = keyof typeof NAMED_COLOURS;

/** Spellings people use for the same colour. */
const COLOUR_SYNONYMS: Readonly<Record<string, ColourName>> = {
  blond: 'blonde',
  golden: 'gold',
  gray: 'grey',
  violet: 'purple',
  teal: 'aqua',
  cyan: 'aqua',
  turquoise: 'aqua',
  crimson: 'red',
  scarlet: 'red',
  platinum: 'silver',
  navy: 'blue',
  azure: 'blue',
  rose: 'pink',
  emerald: 'green',
  ginger: 'orange',
};

export function colourWord(word: string): ColourName | undefined {
  if (Object.hasOwn(NAMED_COLOURS, word)) return word as ColourName;
  return COLOUR_SYNONYMS[word];
}

export function named(name: ColourName): Rgb {
  return NAMED_COLOURS[name];
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function lighten(c: Rgb, t: number): Rgb {
  return mix(c, [255, 255, 255], t);
}

export function darken(c: Rgb, t: number): Rgb {
  return mix(c, [0, 0, 0], t);
}

/** hue in degrees, saturation and lightness in [0, 1]. */
export function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 60;
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const m = lightness - chroma / 2;
  const [r, g, b] =
    h < 1 ? [chroma, x, 0] : h < 2 ? [x, chroma, 0] : h < 3 ? [0, chroma, x] : h < 4 ? [0, x, chroma] : h < 5 ? [x, 0, chroma] : [chroma, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}
