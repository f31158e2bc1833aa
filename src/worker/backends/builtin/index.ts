export { createBuiltinGenerator } from './builtin-generator.js';
export type { BuiltinGeneratorOptions } from './builtin-generator.js';
export { describeScene } from './scene.js';
export type { Appearance, HairStyle, SceneDescription, SceneFeature, Subject, TimeOfDay } from './scene.js';
