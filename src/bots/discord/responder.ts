import { MessageFlags, type InteractionEditReplyOptions, type MessageComponentInteraction, type RepliableInteraction } from 'discord.js';
import { NO_MENTIONS } from './render.js';

/**
 * How one interaction was acknowledged, and the one way to tell its user something privately after
 * that. Handlers get this capability instead of reaching into the interaction themselves.
 * - public: deferReply() — the job's message; a refusal deletes it and says why ephemerally.
 * - private: deferReply(ephemeral) — everything goes into that ephemeral reply.
 * - update: deferUpdate() on a button — the message stays; words go in an ephemeral follow-up.
 */
export class Responder {
  private ack: 'none' | 'public' | 'private' | 'update' = 'none';

  constructor(readonly interaction: RepliableInteraction) {}

  /** Acknowledges with a visible "thinking" message and returns that message's id. */
  async deferPublic(): Promise<string> {
    const response = await this.interaction.deferReply({ withResponse: true });
    this.ack = 'public';
    const id = response.resource?.message?.id ?? (await this.interaction.fetchReply()).id;
    return id;
  }

  async deferPrivate(): Promise<void> {
    await this.interaction.deferReply({ flags: MessageFlags.Ephemeral });
    this.ack = 'private';
  }

  async deferUpdate(): Promise<void> {
    await (this.interaction as MessageComponentInteraction).deferUpdate();
    this.ack = 'update';
  }

  /** Something only this user sees, whatever the acknowledgement was. */
  async say(content: string, extra: { components?: unknown[] } = {}): Promise<void> {
    const payload = { content, allowedMentions: NO_MENTIONS, ...(extra.components ? { components: extra.components as never[] } : {}) };
    switch (this.ack) {
      case 'none':
        if (this.interaction.deferred || this.interaction.replied) await this.interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
        else await this.interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });
        return;
      case 'private':
        await this.interaction.editReply(payload);
        return;
      case 'public':
        // The public "thinking" message would otherwise stay behind; refusals are private.
        await this.interaction.deleteReply();
        this.ack = 'update';
        await this.interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
        return;
      case 'update':
        await this.interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
        return;
    }
  }

  /** Edits the message the acknowledgement points at (for `update`: the message carrying the button). */
  async editOriginal(payload: InteractionEditReplyOptions): Promise<void> {
    await this.interaction.editReply({ allowedMentions: NO_MENTIONS, ...payload });
  }
}
