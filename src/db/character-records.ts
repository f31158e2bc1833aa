import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Character, CharacterFields, CharacterRecords } from '../core/characters/types.js';
import type { Database } from './client.js';
import { isUuid } from '../core/ids.js';
import { writeAudit, type Transaction } from './records.js';
import type { AuditNote } from '../core/records.js';
import { assets, characterReferences, characters, projects } from './schema.js';

type Row = { character: typeof characters.$inferSelect; slug: string | null; references: string[] | null };

function toCharacter({ character: c, slug, references }: Row): Character {
  return {
    id: c.id,
    spaceId: c.spaceId,
    projectId: c.projectId,
    projectSlug: slug,
    name: c.name,
    description: c.description,
    promptFragment: c.promptFragment,
    negativeFragment: c.negativeFragment,
    referenceSeed: c.referenceSeed,
    lora: c.loraName ? { name: c.loraName, weight: c.loraWeight ?? 1 } : null,
    referenceAssetId: c.referenceAssetId,
    referenceImages: references ?? [],
    createdAt: c.createdAt,
  };
}

function toColumns(fields: Partial<CharacterFields>): Partial<typeof characters.$inferInsert> {
  const { lora, ...rest } = fields;
  return { ...rest, ...(lora === undefined ? {} : { loraName: lora?.name ?? null, loraWeight: lora?.weight ?? null }) };
}

/** The unique indexes on (space, project, lower(name)) answer "exists" for us, race-free. Drizzle wraps pg's error as `cause`. */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

export class PostgresCharacterRecords implements CharacterRecords {
  constructor(private readonly db: Database) {}

  private select(where: SQL | undefined, db: Database | Transaction = this.db) {
    return db
      .select({
        character: characters,
        slug: projects.slug,
        references: sql<string[] | null>`(select jsonb_agg(r.upload_id order by r.position) from ${characterReferences} r where r.character_id = ${characters.id})`,
      })
      .from(characters)
      .leftJoin(projects, eq(projects.id, characters.projectId))
      .where(where)
      .orderBy(asc(sql`lower(${characters.name})`));
  }

  async listCharacters(spaceId: string, projectId?: string | null): Promise<Character[]> {
    const scope = projectId === undefined ? undefined : projectId === null ? isNull(characters.projectId) : eq(characters.projectId, projectId);
    return (await this.select(and(eq(characters.spaceId, spaceId), scope))).map(toCharacter);
  }

  async findCharacter(spaceId: string, projectId: string | null, name: string): Promise<Character | null> {
    const scope = projectId === null ? isNull(characters.projectId) : eq(characters.projectId, projectId);
    const [row] = await this.select(and(eq(characters.spaceId, spaceId), scope, eq(sql`lower(${characters.name})`, name.toLowerCase())));
    return row ? toCharacter(row) : null;
  }

  async getCharacter(spaceId: string, characterId: string, db: Database | Transaction = this.db): Promise<Character | null> {
    if (!isUuid(characterId)) return null;
    const [row] = await this.select(and(eq(characters.spaceId, spaceId), eq(characters.id, characterId)), db);
    return row ? toCharacter(row) : null;
  }

  async charactersNamed(spaceId: string, projectId: string, names: readonly string[]): Promise<Character[]> {
    const lowered = [...new Set(names.map((n) => n.trim().toLowerCase()))];
    const rows = await this.select(
      and(
        eq(characters.spaceId, spaceId),
        or(eq(characters.projectId, projectId), isNull(characters.projectId)),
        inArray(sql`lower(${characters.name})`, lowered),
      ),
    );
    return rows.map(toCharacter);
  }

  async createCharacter(spaceId: string, fields: CharacterFields, createdBy: string, audit: (saved: Character) => AuditNote): Promise<Character | 'exists'> {
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(characters).values({ spaceId, createdBy, name: fields.name, ...toColumns(fields) }).returning({ id: characters.id });
        const saved = (await this.getCharacter(spaceId, row!.id, tx))!;
        await writeAudit(tx, audit(saved));
        return saved;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return 'exists';
      throw error;
    }
  }

  async updateCharacter(characterId: string, fields: Partial<CharacterFields>, audit: (saved: Character) => AuditNote): Promise<Character | 'exists'> {
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.update(characters).set(toColumns(fields)).where(eq(characters.id, characterId)).returning({ spaceId: characters.spaceId });
        if (!row) throw new Error('character update matched no row');
        const saved = (await this.getCharacter(row.spaceId, characterId, tx))!;
        await writeAudit(tx, audit(saved));
        return saved;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return 'exists';
      throw error;
    }
  }

  async deleteCharacter(characterId: string, audit: AuditNote): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(characters).where(eq(characters.id, characterId));
      await writeAudit(tx, audit);
    });
  }

  async setReferenceImages(characterId: string, uploadIds: readonly string[], audit: AuditNote): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(characterReferences).where(eq(characterReferences.characterId, characterId));
      if (uploadIds.length > 0) await tx.insert(characterReferences).values(uploadIds.map((uploadId, position) => ({ characterId, uploadId, position })));
      await writeAudit(tx, audit);
    });
  }

  async assetInSpace(spaceId: string, assetId: string): Promise<boolean> {
    if (!isUuid(assetId)) return false;
    const [row] = await this.db
      .select({ id: assets.id })
      .from(assets)
      .where(and(eq(assets.id, assetId), eq(assets.spaceId, spaceId), isNull(assets.deletedAt)));
    return row !== undefined;
  }
}
