/**
 * A tiny anti-aliased rasterizer: every shape is a signed distance function plus a bounding box.
 * Coverage comes from the distance (half a pixel either side of the edge), which gives smooth
 * edges for circles, capsules and polygons alike without supersampling.
 */
import type { Rgb } from './palette.js';

export interface LinearGradient {
  /** Where `colour` applies. */
  readonly x0: number;
  readonly y0: number;
  /** Where `to` applies; between, the colour blends linearly. */
  readonly x1: number;
  readonly y1: number;
  readonly to: Rgb;
}

export interface Paint {
  readonly colour: Rgb;
  readonly gradient?: LinearGradient;
  /** 0..1, default 1. */
  readonly opacity?: number;
  /**
   * Glows and soft shadows: coverage rises over this many pixels inside the edge instead of the
   * usual one-pixel anti-aliased step.
   */
  readonly softness?: number;
}

/** How a square tile relates to a shape: lets the rasterizer skip or flood whole tiles. */
export type Tile = 'outside' | 'inside' | 'edge';

export interface Shape extends Paint {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  /** Signed distance in pixels from the point to the shape's edge; negative inside. */
  readonly distance: (x: number, y: number) => number;
  /**
   * A conservative distance: never further from zero than the true distance, with the same sign.
   * When present, tiles far from the edge are skipped or filled without per-pixel work.
   */
  readonly bound?: (x: number, y: number) => number;
  /** A shape-specific tile test, for shapes whose distance is not a simple bound (terrain). */
  readonly classify?: (left: number, top: number, right: number, bottom: number) => Tile;
}

const TILE = 8;

function classifyTile(shape: Shape, left: number, top: number, right: number, bottom: number, softness: number): Tile {
  if (shape.classify) return shape.classify(left, top, right, bottom);
  if (!shape.bound) return 'edge';
  // Pixel centres span [left + 0.5, right - 0.5]; every one lies within `reach` of the tile centre.
  const reach = Math.sqrt((right - left - 1) ** 2 + (bottom - top - 1) ** 2) / 2;
  const d = shape.bound((left + right) / 2, (top + bottom) / 2);
  if (softness > 0) return d >= reach ? 'outside' : d <= -(reach + softness) ? 'inside' : 'edge';
  return d >= reach + 0.5 ? 'outside' : d <= -(reach + 0.5) ? 'inside' : 'edge';
}

/** An RGBA pixel view (alpha stays opaque); may be one frame inside a taller animation strip. */
export class Canvas {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly pixels: Uint8ClampedArray,
  ) {
    if (pixels.length !== width * height * 4) throw new Error('canvas buffer does not match its size');
  }

  /** Draws the part of the shape that falls in rows [bandTop, bandBottom); bands let a render be split into passes. */
  draw(shape: Shape, bandTop = 0, bandBottom = this.height): void {
    const x0 = Math.max(0, Math.floor(shape.left));
    const x1 = Math.min(this.width, Math.ceil(shape.right));
    const y0 = Math.max(bandTop, 0, Math.floor(shape.top));
    const y1 = Math.min(bandBottom, this.height, Math.ceil(shape.bottom));
    if (x0 >= x1 || y0 >= y1) return;
    const softness = shape.softness ?? 0;
    for (let ty = y0; ty < y1; ty += TILE) {
      const ty1 = Math.min(y1, ty + TILE);
      for (let tx = x0; tx < x1; tx += TILE) {
        const tx1 = Math.min(x1, tx + TILE);
        const tile = classifyTile(shape, tx, ty, tx1, ty1, softness);
        if (tile !== 'outside') this.paint(shape, tx, ty, tx1, ty1, tile === 'inside');
      }
    }
  }

  private paint(shape: Shape, x0: number, y0: number, x1: number, y1: number, inside: boolean): void {
    const opacity = shape.opacity ?? 1;
    const softness = shape.softness ?? 0;
    const [r0, g0, b0] = shape.colour;
    const gradient = shape.gradient;
    let gdx = 0;
    let gdy = 0;
    let dr = 0;
    let dg = 0;
    let db = 0;
    if (gradient) {
      const dx = gradient.x1 - gradient.x0;
      const dy = gradient.y1 - gradient.y0;
      const lengthSquared = dx * dx + dy * dy || 1;
      gdx = dx / lengthSquared;
      gdy = dy / lengthSquared;
      dr = gradient.to[0] - r0;
      dg = gradient.to[1] - g0;
      db = gradient.to[2] - b0;
    }
    const pixels = this.pixels;
    const distance = shape.distance;

    for (let y = y0; y < y1; y++) {
      const py = y + 0.5;
      let index = (y * this.width + x0) * 4;
      for (let x = x0; x < x1; x++, index += 4) {
        const px = x + 0.5;
        let coverage = opacity;
        if (!inside) {
          const d = distance(px, py);
          if (softness > 0) {
            const t = Math.min(1, -d / softness);
            if (t <= 0) continue;
            coverage *= t * t * (3 - 2 * t);
          } else {
            if (d >= 0.5) continue;
            if (d > -0.5) coverage *= 0.5 - d;
          }
        }
        let r = r0;
        let g = g0;
        let b = b0;
        if (gradient) {
          let t = (px - gradient.x0) * gdx + (py - gradient.y0) * gdy;
          t = t < 0 ? 0 : t > 1 ? 1 : t;
          r += dr * t;
          g += dg * t;
          b += db * t;
        }
        if (coverage >= 1) {
          pixels[index] = r;
          pixels[index + 1] = g;
          pixels[index + 2] = b;
          continue;
        }
        const pr = pixels[index]!;
        const pg = pixels[index + 1]!;
        const pb = pixels[index + 2]!;
        pixels[index] = pr + (r - pr) * coverage;
        pixels[index + 1] = pg + (g - pg) * coverage;
        pixels[index + 2] = pb + (b - pb) * coverage;
      }
    }
  }
}
