/** The shared layout of one picture: sizes, horizon, sky colours, ambient light. */
import type { Rgb } from './palette.js';
import { darken, hsl, mix } from './palette.js';
import type { Random } from './random.js';
import type { SceneDescription, TimeOfDay } from './scene.js';

export interface Stage {
  width: number;
  height: number;
  /** The shorter side: sizes scale with it so portrait and landscape look alike. */
  unit: number;
  horizon: number;
  /** Animation phase in [0, 1); 0 for still images. */
  time: number;
  scene: SceneDescription;
  /** Sun or moon: drawn in the sky and reflected on the sea. */
  celestial: { x: number; y: number; r: number };
  sky: { top: Rgb; middle: Rgb; bottom: Rgb };
  /** Which top corner the cherry canopy hangs from; the sun or moon keeps to the other side. */
  canopySide: -1 | 1;
  /** A colour from the prompt hash, so unrecognised words still change the picture. */
  accent: Rgb;
  /** Ambient light for the landscape (strong) and for the character (gentler, so it stays readable). */
  scenery: (c: Rgb) => Rgb;
  figure: (c: Rgb) => Rgb;
}

const SKIES: Record<TimeOfDay, Stage['sky']> = {
  day: { top: [86, 154, 236], middle: [150, 200, 246], bottom: [216, 236, 250] },
  sunset: { top: [62, 54, 132], middle: [218, 108, 136], bottom: [255, 190, 120] },
  night: { top: [8, 12, 38], middle: [22, 32, 80], bottom: [54, 68, 124] },
};

const AMBIENT: Record<TimeOfDay, { tint: Rgb; scenery: number; figure: number; dim: number }> = {
  day: { tint: [255, 255, 255], scenery: 0, figure: 0, dim: 0 },
  sunset: { tint: [255, 140, 110], scenery: 0.22, figure: 0.14, dim: 0.1 },
  night: { tint: [40, 52, 120], scenery: 0.5, figure: 0.3, dim: 0.35 },
};

export function makeStage(scene: SceneDescription, rng: Random, width: number, height: number, time: number): Stage {
  const unit = Math.min(width, height);
  const horizon = height * rng.range(0.56, 0.66);
  const accent = hsl(scene.accentHue, 0.6, 0.6);
  const overcast = scene.features.rain;
  const base = SKIES[scene.timeOfDay];
  // The accent tints the whole sky a little; rain greys it out.
  const tint = (c: Rgb): Rgb => {
    const tinted = mix(c, accent, 0.12);
    return overcast ? mix(tinted, darken([150, 156, 170], scene.timeOfDay === 'night' ? 0.7 : 0), 0.5) : tinted;
  };
  const ambient = AMBIENT[scene.timeOfDay];
  const lowSun = scene.timeOfDay === 'sunset';
  const canopySide = rng.chance(0.5) ? -1 : 1;
  const across = rng.range(0.12, 0.88);
  // With a canopy in one corner, fold the sun or moon into the other half so it stays visible.
  const celestialX = !scene.features.petals ? across : canopySide < 0 ? 0.5 + Math.abs(across - 0.5) : 0.5 - Math.abs(across - 0.5);
  return {
    width,
    height,
    unit,
    horizon,
    time,
    scene,
    celestial: {
      x: width * celestialX,
      y: lowSun ? horizon - unit * 0.05 : horizon * rng.range(0.18, 0.38),
      r: unit * (lowSun ? 0.12 : 0.075),
    },
    sky: { top: tint(base.top), middle: tint(base.middle), bottom: tint(base.bottom) },
    canopySide,
    accent,
    scenery: (c) => darken(mix(c, ambient.tint, ambient.scenery), ambient.dim),
    figure: (c) => darken(mix(c, ambient.tint, ambient.figure), ambient.dim * 0.4),
  };
}
