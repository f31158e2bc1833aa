import type { LoraSpec } from '../generator.js';
import type { AuditNote } from '../records.js';

export interface Character {
  id: string;
  spaceId: string;
  /** Null: usable in every project of the space. */
  projectId: string | null;
  projectSlug: string | null;
  name: string;
  description: string;
  promptFragment: string;
  negativeFragment: string;
  referenceSeed: number | null;
  lora: LoraSpec | null;
  /** An asset of the same space shown as the character's reference picture. */
  referenceAssetId: string | null;
  /** Uploads sent through a template's `$image` role whenever the character is generated, in order. */
  referenceImages: string[];
  createdAt: Date;
}

export type CharacterFields = Omit<Character, 'id' | 'spaceId' | 'projectSlug' | 'createdAt' | 'referenceImages'>;

/** Each change writes its audit row in the same transaction (the note is made from the saved character). */
export interface CharacterRecords {
  /** Every character of the space (projectId undefined), or only one scope (null = space-wide). */
  listCharacters(spaceId: string, projectId?: string | null): Promise<Character[]>;
  /** Exactly this scope, name compared case-insensitively. */
  findCharacter(spaceId: string, projectId: string | null, name: string): Promise<Character | null>;
  getCharacter(spaceId: string, characterId: string): Promise<Character | null>;
  /** Candidates for these names in the project and space-wide; the caller picks per name. */
  charactersNamed(spaceId: string, projectId: string, names: readonly string[]): Promise<Character[]>;
  /** 'exists' when the name is taken in that scope. */
  createCharacter(spaceId: string, fields: CharacterFields, createdBy: string, audit: (saved: Character) => AuditNote): Promise<Character | 'exists'>;
  updateCharacter(characterId: string, fields: Partial<CharacterFields>, audit: (saved: Character) => AuditNote): Promise<Character | 'exists'>;
  deleteCharacter(characterId: string, audit: AuditNote): Promise<void>;
  /** Replaces the character's reference pictures (uploads of its space, checked by the caller), in order. */
  setReferenceImages(characterId: string, uploadIds: readonly string[], audit: AuditNote): Promise<void>;
  /** True when the asset exists, is not deleted and belongs to the space. */
  assetInSpace(spaceId: string, assetId: string): Promise<boolean>;
}
