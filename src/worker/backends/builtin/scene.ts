/**
 * Reads a prompt into a scene description: which words the built-in renderer understood. Pure, so
 * tests (and the gallery) can check what was recognised without decoding any pixels.
 *
 * The character's looks come only from appearance words (subject, "<colour> hair/eyes/dress",
 * hair style) and never from the seed or the scene words, so one character description draws the
 * same character at the beach, in the city, with any seed.
 */
import type { GenerationInput } from '../../../core/generator.js';
import type { ColourName } from './palette.js';
import { colourWord } from './palette.js';
import { hashString } from './random.js';

export type TimeOfDay = 'day' | 'sunset' | 'night';
export type Subject = 'girl' | 'boy' | 'cat' | 'dragon' | 'robot';
export type HairStyle = 'long' | 'short' | 'twintails' | 'ponytail';
export type SceneFeature = 'sea' | 'forest' | 'city' | 'mountains' | 'snow' | 'rain' | 'petals' | 'stars' | 'moon';

export interface Appearance {
  /** Hair for people; fur, scales or plating for the cat, dragon and robot. */
  hair: ColourName;
  eyes: ColourName;
  outfit: ColourName;
  hairStyle: HairStyle;
  catEars: boolean;
  /** Which traits the prompt named; the others are picked from a hash of the appearance words. */
  named: { hair: boolean; eyes: boolean; outfit: boolean; hairStyle: boolean };
}

export interface SceneDescription {
  timeOfDay: TimeOfDay;
  subject: Subject | null;
  appearance: Appearance;
  features: Record<SceneFeature, boolean>;
  /** The prompt words that changed the picture, in prompt order. */
  recognisedWords: string[];
  /** Hash of every prompt and negative-prompt word: unrecognised words still shift palette and layout. */
  promptHash: number;
  /** Hue (degrees) tinting the sky and small accents, from promptHash. */
  accentHue: number;
}

const TIME_WORDS: Record<TimeOfDay, readonly string[]> = {
  night: ['night', 'midnight', 'nighttime', 'nocturnal'],
  sunset: ['sunset', 'dusk', 'evening', 'twilight', 'sunrise', 'dawn'],
  day: ['day', 'daytime', 'noon', 'morning', 'sunny', 'afternoon', 'sunshine', 'midday', 'sun'],
};

const FEATURE_WORDS: Record<SceneFeature, readonly string[]> = {
  sea: ['sea', 'ocean', 'beach', 'waves', 'wave', 'shore', 'coast', 'seaside', 'lake'],
  forest: ['forest', 'woods', 'trees', 'tree', 'jungle', 'woodland'],
  city: ['city', 'town', 'street', 'skyline', 'tokyo', 'buildings', 'downtown', 'neon', 'rooftop'],
  mountains: ['mountain', 'mountains', 'hills', 'hill', 'fuji', 'valley'],
  snow: ['snow', 'snowy', 'snowing', 'winter', 'snowfall', 'snowflakes'],
  rain: ['rain', 'rainy', 'raining', 'storm', 'umbrella'],
  petals: ['sakura', 'cherry', 'blossom', 'blossoms', 'petals', 'petal', 'spring', 'hanami'],
  stars: ['stars', 'star', 'starry', 'galaxy', 'constellation', 'starlight'],
  moon: ['moon', 'moonlight', 'moonlit', 'lunar'],
};

const SUBJECT_WORDS: Record<Subject, readonly string[]> = {
  girl: ['girl', 'girls', 'woman', 'lady', 'maid', 'princess', 'schoolgirl', 'heroine', 'witch', 'idol', 'catgirl', 'miko'],
  boy: ['boy', 'boys', 'man', 'guy', 'prince', 'schoolboy', 'hero', 'knight', 'samurai', 'ninja'],
  cat: ['cat', 'cats', 'kitten', 'kitty', 'neko'],
  dragon: ['dragon', 'wyvern', 'drake'],
  robot: ['robot', 'android', 'mecha', 'mech', 'cyborg', 'droid'],
};

type Part = 'hair' | 'eyes' | 'outfit';
const PART_WORDS: Record<Part, readonly string[]> = {
  hair: ['hair', 'haired', 'ponytail', 'twintails', 'braid', 'bangs', 'fur', 'furred', 'scales', 'scaled', 'plating'],
  eyes: ['eyes', 'eye', 'eyed'],
  outfit: ['dress', 'kimono', 'yukata', 'outfit', 'uniform', 'shirt', 'jacket', 'hoodie', 'clothes', 'coat', 'skirt', 'sweater', 'robe', 'cloak', 'scarf'],
};

const CAT_EAR_WORDS = ['catgirl', 'nekomimi', 'kemonomimi'];

/** Defaults when the prompt does not say; picked by the appearance hash so they stay put across scenes. */
const DEFAULT_BODY_COLOURS: Record<Subject, readonly ColourName[]> = {
  girl: ['brown', 'black', 'blonde', 'pink', 'blue', 'silver', 'purple', 'red'],
  boy: ['brown', 'black', 'blonde', 'silver', 'blue', 'red'],
  cat: ['orange', 'black', 'white', 'grey', 'brown'],
  dragon: ['green', 'red', 'blue', 'purple', 'gold'],
  robot: ['silver', 'white', 'grey', 'blue'],
};
const DEFAULT_EYES: readonly ColourName[] = ['blue', 'green', 'purple', 'red', 'amber', 'aqua', 'pink'];
const DEFAULT_OUTFITS: readonly ColourName[] = ['blue', 'red', 'white', 'pink', 'purple', 'black', 'green', 'orange'];
const DEFAULT_GIRL_STYLES: readonly HairStyle[] = ['long', 'long', 'twintails', 'ponytail', 'short'];

function findIn<K extends string>(table: Record<K, readonly string[]>, word: string): K | undefined {
  for (const key of Object.keys(table) as K[]) if (table[key].includes(word)) return key;
  return undefined;
}

function pickBy<T>(items: readonly T[], hash: number, salt: string): T {
  return items[hashString(salt, hash) % items.length]!;
}

function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? [];
}

export function describeScene(input: Pick<GenerationInput, 'prompt' | 'negativePrompt'>): SceneDescription {
  const words = tokenize(input.prompt);
  const refused = new Set(tokenize(input.negativePrompt));
  const recognised: string[] = [];
  const appearanceWords: string[] = [];
  const features = Object.fromEntries(Object.keys(FEATURE_WORDS).map((f) => [f, false])) as Record<SceneFeature, boolean>;
  const namedColours: Partial<Record<Part, ColourName>> = {};
  let time: TimeOfDay | undefined;
  let subject: Subject | undefined;
  let hairStyle: HairStyle | undefined;
  let catEars = false;

  words.forEach((word, i) => {
    const next = words[i + 1] ?? '';
    const feature = findIn(FEATURE_WORDS, word);
    // A word in the negative prompt switches its feature off ("rain" there means no rain).
    if (feature && !refused.has(word)) {
      features[feature] = true;
      recognised.push(word);
    }
    const timeWord = findIn(TIME_WORDS, word);
    if (timeWord && time === undefined) {
      time = timeWord;
      recognised.push(word);
    }
    if (CAT_EAR_WORDS.includes(word) || (word === 'cat' && (next === 'ears' || next === 'ear'))) {
      catEars = true;
      appearanceWords.push('cat-ears');
      recognised.push(word);
      if (word === 'cat') return;
    }
    const subjectWord = findIn(SUBJECT_WORDS, word);
    if (subjectWord && subject === undefined) {
      subject = subjectWord;
      recognised.push(word);
    }
    const style = hairStyleOf(word, words.slice(i + 1, i + 3));
    if (style && hairStyle === undefined) {
      hairStyle = style;
      appearanceWords.push(style);
      recognised.push(word);
    }
    const colour = colourWord(word);
    if (colour) {
      const part = partFor(words, i);
      if (part && namedColours[part] === undefined) {
        namedColours[part] = colour;
        appearanceWords.push(`${colour}-${part}`);
        recognised.push(word);
      }
    }
  });

  const timeOfDay: TimeOfDay = time ?? (features.moon || features.stars ? 'night' : 'day');
  if (timeOfDay === 'night') {
    features.moon ||= !refused.has('moon');
    features.stars ||= !refused.has('stars');
  }
  const who: Subject = subject ?? 'girl';
  // Sorted so "blue eyes, silver hair" and "silver hair, blue eyes" are the same character.
  const appearanceHash = hashString([who, ...appearanceWords.sort()].join('|'));
  const promptHash = hashString(`${words.join(' ')}\u0000${tokenize(input.negativePrompt).join(' ')}`);
  return {
    timeOfDay,
    subject: subject ?? null,
    appearance: {
      hair: namedColours.hair ?? pickBy(DEFAULT_BODY_COLOURS[who], appearanceHash, 'hair'),
      eyes: namedColours.eyes ?? pickBy(DEFAULT_EYES, appearanceHash, 'eyes'),
      outfit: namedColours.outfit ?? pickBy(DEFAULT_OUTFITS, appearanceHash, 'outfit'),
      hairStyle: hairStyle ?? (who === 'girl' ? pickBy(DEFAULT_GIRL_STYLES, appearanceHash, 'style') : 'short'),
      catEars,
      named: {
        hair: namedColours.hair !== undefined,
        eyes: namedColours.eyes !== undefined,
        outfit: namedColours.outfit !== undefined,
        hairStyle: hairStyle !== undefined,
      },
    },
    features,
    recognisedWords: recognised,
    promptHash,
    accentHue: promptHash % 360,
  };
}

function hairStyleOf(word: string, following: readonly string[]): HairStyle | undefined {
  if (word === 'twintails' || word === 'pigtails' || (word === 'twin' && following[0] === 'tails')) return 'twintails';
  if (word === 'ponytail') return 'ponytail';
  if (word === 'bob') return 'short';
  if ((word === 'long' || word === 'short') && following.some((w) => w === 'hair' || w === 'haired')) return word;
  return undefined;
}

/** The body part a colour word describes: the first part or subject word within three words after it. */
function partFor(words: readonly string[], index: number): Part | undefined {
  const word = words[index]!;
  if (colourWord(word) === 'blonde') return 'hair';
  for (let j = index + 1; j <= index + 3 && j < words.length; j++) {
    const candidate = words[j]!;
    // "blue sky with silver hair": the next colour word starts its own phrase.
    if (colourWord(candidate)) return undefined;
    const part = findIn(PART_WORDS, candidate);
    if (part) return part;
    const subject = findIn(SUBJECT_WORDS, candidate);
    if (subject === 'cat' || subject === 'dragon' || subject === 'robot') return 'hair';
    if (subject) return undefined;
  }
  return undefined;
}
