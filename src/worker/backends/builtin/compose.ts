/**
 * Turns a scene description and a seed into the list of shapes to paint, back to front. The seed
 * moves composition, pose and particles; the character's looks come from the scene alone.
 */
import { city, celestial, clouds, ground, mountains, sakuraCanopy, sea, sky, stars, treeLine } from './backdrop.js';
import { drawCat, drawDragon, drawRobot } from './creatures.js';
import type { Figure } from './figure.js';
import { figureColours, randomPose } from './figure.js';
import { drawHuman } from './human.js';
import { particles } from './particles.js';
import type { Shape } from './raster.js';
import { Random, combineHashes, hashSeed } from './random.js';
import type { SceneDescription } from './scene.js';
import { makeStage } from './stage.js';

/**
 * @param time animation phase in [0, 1); still images use 0.
 * @param backdropOpacity how much of the painted backdrop (sky to sakura) covers what is already on
 *   the canvas: 1 normally; less when a reference picture lies underneath and should show through.
 */
export function composeScene(scene: SceneDescription, seed: number, width: number, height: number, time = 0, backdropOpacity = 1): Shape[] {
  const root = new Random(combineHashes(hashSeed(seed), scene.promptHash));
  const stage = makeStage(scene, root.fork('layout'), width, height, time);
  const backdrop: Shape[] = [
    ...sky(stage),
    ...stars(stage, root.fork('stars')),
    ...celestial(stage, root.fork('celestial')),
    ...clouds(stage, root.fork('clouds')),
    ...mountains(stage, root.fork('mountains')),
    ...city(stage, root.fork('city')),
    ...treeLine(stage, root.fork('trees')),
    ...sea(stage, root.fork('sea')),
    ...ground(stage, root.fork('ground')),
    ...sakuraCanopy(stage, root.fork('sakura')),
  ];
  const shapes: Shape[] = backdropOpacity >= 1 ? backdrop : backdrop.map((shape) => ({ ...shape, opacity: (shape.opacity ?? 1) * backdropOpacity }));
  if (scene.subject) {
    const place = root.fork('figure');
    const size = stage.unit * (scene.subject === 'cat' ? 0.15 : 0.13) * place.range(0.92, 1.08);
    const figure: Figure = {
      cx: width * place.range(0.32, 0.68),
      feetY: height * place.range(0.93, 0.97),
      size,
      time,
      pose: randomPose(place),
      appearance: scene.appearance,
      ...figureColours(scene.appearance),
      tone: stage.figure,
    };
    shapes.push(...drawFigure(scene.subject, figure));
  }
  shapes.push(...particles(stage, root.fork('particles')));
  return shapes;
}

function drawFigure(subject: NonNullable<SceneDescription['subject']>, figure: Figure): Shape[] {
  switch (subject) {
    case 'girl':
    case 'boy':
      return drawHuman(figure, subject);
    case 'cat':
      return drawCat(figure);
    case 'dragon':
      return drawDragon(figure);
    case 'robot':
      return drawRobot(figure);
  }
}
