/** Everything behind the character: sky, sun or moon, clouds, mountains, skyline, sea and hills. */
import type { Rgb } from './palette.js';
import { darken, lighten, mix } from './palette.js';
import type { Random } from './random.js';
import type { Shape } from './raster.js';
import type { Stage } from './stage.js';
import { blob, circle, ellipse, intersect, polygon, rect, subtract, terrain } from './shapes.js';

const TAU = Math.PI * 2;

export function sky(s: Stage): Shape[] {
  const split = s.horizon * 0.55;
  return [
    rect(0, 0, s.width, split + 1, { colour: s.sky.top, gradient: { x0: 0, y0: 0, x1: 0, y1: split, to: s.sky.middle } }),
    rect(0, split, s.width, s.height, { colour: s.sky.middle, gradient: { x0: 0, y0: split, x1: 0, y1: s.horizon, to: s.sky.bottom } }),
  ];
}

export function celestial(s: Stage, rng: Random): Shape[] {
  const { x, y, r } = s.celestial;
  if (s.scene.timeOfDay !== 'night') {
    const sunset = s.scene.timeOfDay === 'sunset';
    const core: Rgb = sunset ? [255, 178, 96] : [255, 252, 226];
    return [
      circle(x, y, r * 4, { colour: sunset ? [255, 150, 90] : [255, 248, 210], opacity: 0.45, softness: r * 3.6 }),
      circle(x, y, r, { colour: core }),
    ];
  }
  if (!s.scene.features.moon) return [];
  const disc = circle(x, y, r, { colour: [252, 246, 218] });
  const shapes: Shape[] = [circle(x, y, r * 4, { colour: [190, 205, 255], opacity: 0.3, softness: r * 3.6 })];
  if (rng.chance(0.5)) {
    shapes.push(subtract(disc, circle(x + r * 0.5, y - r * 0.25, r * 0.92, disc)));
  } else {
    shapes.push(disc);
    for (let i = 0; i < 3; i++) {
      shapes.push(circle(x + rng.range(-0.5, 0.5) * r, y + rng.range(-0.5, 0.5) * r, r * rng.range(0.12, 0.22), { colour: [226, 220, 196], opacity: 0.7 }));
    }
  }
  return shapes;
}

export function stars(s: Stage, rng: Random): Shape[] {
  if (s.scene.timeOfDay !== 'night' || !s.scene.features.stars) return [];
  const count = Math.round((s.width * s.height) / (s.scene.recognisedWords.some((w) => w.startsWith('star')) ? 1400 : 2800));
  const shapes: Shape[] = [];
  for (let i = 0; i < count; i++) {
    const x = rng.range(0, s.width);
    const y = rng.range(0, s.horizon * 0.95) ** 1.15 / s.horizon ** 0.15;
    const r = Math.max(0.6, (s.unit / 320) * rng.range(0.5, 1.5));
    const twinkle = 0.65 + 0.35 * Math.sin(TAU * (s.time + rng.next()));
    const colour = rng.pick<Rgb>([[255, 255, 255], [255, 240, 200], [210, 225, 255]]);
    shapes.push(circle(x, y, r, { colour, opacity: twinkle }));
    if (rng.chance(0.1)) {
      for (const angle of [0, Math.PI / 2]) shapes.push(ellipse(x, y, r * 5, r * 0.45, angle, { colour, opacity: 0.8 * twinkle }));
    }
  }
  return shapes;
}

export function clouds(s: Stage, rng: Random): Shape[] {
  const overcast = s.scene.features.rain;
  const count = overcast ? 6 : rng.int(2, 5);
  const [light, shade]: [Rgb, Rgb] =
    s.scene.timeOfDay === 'night' ? [[84, 96, 140], [52, 62, 104]] : s.scene.timeOfDay === 'sunset' ? [[255, 210, 196], [236, 132, 150]] : [[255, 255, 255], [214, 228, 248]];
  const shapes: Shape[] = [];
  for (let i = 0; i < count; i++) {
    const width = s.unit * rng.range(0.22, 0.42) * (overcast ? 1.6 : 1);
    const cx = rng.range(-0.1, 1.1) * s.width + Math.sin(TAU * s.time) * s.unit * 0.01;
    const base = rng.range(0.15, 0.8) * s.horizon;
    const puffs = Array.from({ length: 5 }, (_, k) => {
      const along = (k / 4 - 0.5) * width;
      const r = width * (0.18 + 0.16 * Math.sin((Math.PI * (k + 0.5)) / 5)) * rng.range(0.8, 1.1);
      return { x: cx + along, y: base - r * 0.55, r };
    });
    const body = blob(puffs, { colour: overcast ? mix(light, [150, 150, 160], 0.4) : light, gradient: { x0: cx, y0: base - width * 0.4, x1: cx, y1: base, to: shade }, opacity: s.scene.timeOfDay === 'night' ? 0.6 : 0.95 });
    // Anime clouds have flat bottoms.
    shapes.push(intersect(body, rect(cx - width, base - width, cx + width, base, body)));
  }
  return shapes;
}

export function mountains(s: Stage, rng: Random): Shape[] {
  if (!s.scene.features.mountains) return [];
  const shapes: Shape[] = [];
  for (const [layer, haze] of [[0, 0.55], [1, 0.3]] as const) {
    const peaks = Array.from({ length: rng.int(3, 6) }, () => ({ x: rng.range(-0.1, 1.1) * s.width, h: s.unit * rng.range(0.12, 0.3) * (layer === 0 ? 1.2 : 0.8), w: s.unit * rng.range(0.2, 0.4) }));
    const ridge = (x: number): number => s.horizon - Math.max(s.unit * 0.02, ...peaks.map((p) => p.h * Math.max(0, 1 - Math.abs(x - p.x) / p.w)));
    const rock = mix(s.scenery([96, 110, 150]), s.sky.bottom, haze);
    shapes.push(terrain(0, s.width, s.horizon + 2, ridge, { colour: rock }));
    const snowLine = (x: number): number => ridge(x);
    const caps = terrain(0, s.width, s.horizon, snowLine, { colour: mix(s.scenery([250, 252, 255]), s.sky.bottom, haze * 0.6) });
    const highest = Math.min(...peaks.map((p) => s.horizon - p.h));
    shapes.push(intersect(caps, rect(0, highest - 2, s.width, highest + (s.horizon - highest) * 0.35, caps)));
  }
  return shapes;
}

export function city(s: Stage, rng: Random): Shape[] {
  if (!s.scene.features.city) return [];
  const night = s.scene.timeOfDay === 'night';
  const shapes: Shape[] = [];
  for (const [layer, haze] of [[0, 0.5], [1, 0.15]] as const) {
    const wall = mix(s.scenery(layer === 0 ? [120, 136, 176] : [96, 110, 150]), s.sky.bottom, haze);
    let x = -rng.range(0, s.unit * 0.05);
    while (x < s.width) {
      const w = s.unit * rng.range(0.05, 0.11);
      const h = s.unit * rng.range(0.08, 0.3) * (layer === 0 ? 1.25 : 1);
      const top = s.horizon - h;
      shapes.push(rect(x, top, x + w - 1, s.horizon + 2, { colour: wall }));
      const cell = s.unit * 0.022;
      for (let wy = top + cell * 0.6; wy < s.horizon - cell; wy += cell) {
        for (let wx = x + cell * 0.4; wx < x + w - cell; wx += cell) {
          const lit = night ? rng.chance(0.45) : rng.chance(0.8);
          if (!lit) continue;
          const glass: Rgb = night ? [255, 214, 120] : lighten(wall, 0.4);
          shapes.push(rect(wx, wy, wx + cell * 0.5, wy + cell * 0.55, { colour: glass, opacity: layer === 0 ? 0.5 : 0.9 }));
        }
      }
      x += w + s.unit * rng.range(0, 0.015);
    }
  }
  return shapes;
}

export function treeLine(s: Stage, rng: Random): Shape[] {
  if (!s.scene.features.forest) return [];
  const shapes: Shape[] = [];
  const green = mix(s.scenery([40, 104, 78]), s.sky.bottom, 0.25);
  let x = -s.unit * 0.02;
  while (x < s.width + s.unit * 0.05) {
    const h = s.unit * rng.range(0.1, 0.2);
    const w = h * 0.45;
    const tiers = 3;
    for (let k = 0; k < tiers; k++) {
      const tierTop = s.horizon - h + (k * h) / (tiers + 0.5);
      const spread = w * (0.55 + k * 0.25);
      shapes.push(polygon([{ x, y: tierTop }, { x: x + spread, y: tierTop + h * 0.42 }, { x: x - spread, y: tierTop + h * 0.42 }], { colour: darken(green, k * 0.06) }));
      if (s.scene.features.snow) shapes.push(polygon([{ x, y: tierTop }, { x: x + spread * 0.35, y: tierTop + h * 0.14 }, { x: x - spread * 0.35, y: tierTop + h * 0.14 }], { colour: s.scenery([246, 250, 255]) }));
    }
    x += w * rng.range(0.7, 1.2);
  }
  return shapes;
}

export function sea(s: Stage, rng: Random): Shape[] {
  if (!s.scene.features.sea) return [];
  const deep = s.scenery([28, 92, 168]);
  const near = mix(s.sky.bottom, [70, 150, 210], 0.5);
  const shapes: Shape[] = [rect(0, s.horizon, s.width, s.height, { colour: near, gradient: { x0: 0, y0: s.horizon, x1: 0, y1: s.height, to: deep } })];
  const foam = lighten(near, 0.6);
  const depth = s.height - s.horizon;
  for (let i = 0; i < 60; i++) {
    const along = rng.next() ** 1.6;
    const y = s.horizon + depth * along + 2;
    const length = s.unit * (0.01 + 0.06 * along);
    const x = rng.range(0, s.width) + Math.sin(TAU * (s.time + rng.next())) * length * 0.4;
    shapes.push(ellipse(x, y, length, Math.max(0.6, s.unit * 0.003 * (1 + along * 2)), 0, { colour: foam, opacity: 0.5 }));
  }
  // The sun's or moon's glitter path on the water.
  const glitter = lighten(s.scene.timeOfDay === 'night' ? [220, 226, 255] : [255, 220, 160], 0.3);
  for (let i = 0; i < 18; i++) {
    const along = (i + rng.next()) / 18;
    const y = s.horizon + 2 + depth * along * 0.9;
    const w = s.celestial.r * (0.5 + along * 1.6) * (0.6 + 0.4 * Math.sin(TAU * (s.time + i * 0.37)));
    shapes.push(ellipse(s.celestial.x + rng.range(-0.2, 0.2) * w, y, w, Math.max(0.6, s.unit * 0.004), 0, { colour: glitter, opacity: 0.55 }));
  }
  return shapes;
}

/** Hills or a beach in the foreground; returns the ground line the character stands on. */
export function ground(s: Stage, rng: Random): Shape[] {
  const snowy = s.scene.features.snow;
  const shapes: Shape[] = [];
  if (s.scene.features.sea) {
    const top = s.height * rng.range(0.8, 0.86);
    const phase = rng.range(0, TAU);
    const sand = s.scenery(snowy ? [240, 244, 252] : [240, 218, 172]);
    shapes.push(terrain(0, s.width, s.height + 2, (x) => top + Math.sin(x / (s.unit * 0.4) + phase) * s.unit * 0.02, { colour: sand, gradient: { x0: 0, y0: top, x1: 0, y1: s.height, to: darken(sand, 0.12) } }));
    return shapes;
  }
  const back = s.scenery(snowy ? [226, 234, 248] : [150, 210, 124]);
  const front = s.scenery(snowy ? [244, 248, 255] : [112, 190, 98]);
  const [p1, p2] = [rng.range(0, TAU), rng.range(0, TAU)];
  shapes.push(terrain(0, s.width, s.height + 2, (x) => s.horizon - Math.sin(x / (s.unit * 0.35) + p1) * s.unit * 0.025, { colour: back }));
  const frontTop = s.horizon + (s.height - s.horizon) * 0.35;
  shapes.push(terrain(0, s.width, s.height + 2, (x) => frontTop + Math.sin(x / (s.unit * 0.5) + p2) * s.unit * 0.03, { colour: front, gradient: { x0: 0, y0: frontTop, x1: 0, y1: s.height, to: darken(front, 0.15) } }));
  if (!snowy) {
    // Little flowers in the prompt's accent colour.
    for (let i = 0; i < 30; i++) {
      const x = rng.range(0, s.width);
      const y = rng.range(frontTop + s.unit * 0.04, s.height);
      const r = s.unit * 0.006 * (1 + (y - frontTop) / (s.height - frontTop));
      shapes.push(circle(x, y, r, { colour: s.scenery(rng.chance(0.5) ? s.accent : [255, 255, 255]) }));
    }
  }
  return shapes;
}

/** A cherry tree canopy hanging in from one top corner. */
export function sakuraCanopy(s: Stage, rng: Random): Shape[] {
  if (!s.scene.features.petals) return [];
  const side = s.canopySide;
  const edge = side < 0 ? 0 : s.width;
  const bark = s.scenery([92, 60, 58]);
  const shapes: Shape[] = [];
  const reach = s.width * rng.range(0.3, 0.45);
  const branchEnd = { x: edge - side * reach, y: s.height * rng.range(0.08, 0.18) };
  shapes.push(ellipse((edge + branchEnd.x) / 2, (branchEnd.y + s.height * 0.05) / 2, reach / 2, s.unit * 0.012, side * -0.12, { colour: bark }));
  for (let k = 0; k < 3; k++) {
    const circles = Array.from({ length: 7 }, () => ({
      x: edge - side * rng.range(0, reach * 1.05),
      y: rng.range(-0.05, 0.2) * s.height,
      r: s.unit * rng.range(0.05, 0.1),
    }));
    // Blossoms keep the gentler figure light so they still glow pink at night.
    const pink = s.figure(k === 0 ? [240, 150, 184] : k === 1 ? [255, 186, 210] : [255, 222, 234]);
    shapes.push(blob(circles, { colour: pink }));
  }
  return shapes;
}
