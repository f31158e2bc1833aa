import {
  ApplicationCommandOptionType as T,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  ChannelType,
  PermissionFlagsBits,
  type APIApplicationCommandOption,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';

/**
 * The slash commands, as Discord's JSON, with Japanese names and descriptions. Deployed by
 * `npm run commands:deploy [-- --guild ID]` (bulk overwrite). Option names here are what the adapter
 * reads in src/bots/discord/features.
 */
type Named = { name: string; description: string; name_localizations: { ja: string }; description_localizations: { ja: string } };

function named(name: string, ja: string, description: string, jaDescription: string): Named {
  return { name, description, name_localizations: { ja }, description_localizations: { ja: jaDescription } };
}

function choice(name: string, ja: string, value: string) {
  return { name, name_localizations: { ja }, value };
}

const APP_ROLES = [choice('viewer', '閲覧者', 'viewer'), choice('creator', '作成者', 'creator'), choice('moderator', 'モデレーター', 'moderator'), choice('admin', '管理者', 'admin')];

function sub(n: Named, options: APIApplicationCommandOption[] = []): APIApplicationCommandOption {
  return { ...n, type: T.Subcommand, options: options as never };
}

function group(n: Named, subcommands: APIApplicationCommandOption[]): APIApplicationCommandOption {
  return { ...n, type: T.SubcommandGroup, options: subcommands as never };
}

const roleOption = { ...named('role', 'ロール', 'A Discord role of this server', 'このサーバーのDiscordロール'), type: T.Role, required: true } as const;
const wordOption = { ...named('word', '単語', 'A word or phrase', '単語またはフレーズ'), type: T.String, required: true, max_length: 100 } as const;
const MANAGE_GUILD = PermissionFlagsBits.ManageGuild.toString();
// Guild-only: roles, limits and replies all belong to a server.
const GUILD_ONLY = { type: ApplicationCommandType.ChatInput as const, contexts: [InteractionContextType.Guild], integration_types: [ApplicationIntegrationType.GuildInstall] };

export const discordCommands: RESTPutAPIApplicationCommandsJSONBody = [
  {
    ...named('generate', '生成', 'Make an anime image from a prompt', 'プロンプトからアニメ画像を生成します'),
    ...GUILD_ONLY,
    options: [
      { ...named('prompt', 'プロンプト', 'What to draw', '描きたい内容'), type: T.String, required: true, max_length: 1000 },
      { ...named('negative', 'ネガティブ', 'What to avoid', '避けたい内容'), type: T.String, max_length: 1000 },
      {
        ...named('aspect', '縦横比', 'Shape of the image (default square)', '画像の形（既定は正方形）'),
        type: T.String,
        choices: [choice('square', '正方形', 'square'), choice('portrait', '縦長', 'portrait'), choice('landscape', '横長', 'landscape')],
      },
      { ...named('seed', 'シード', 'Seed for a repeatable result', '再現用のシード値'), type: T.Integer, min_value: 0, max_value: 4_294_967_295 },
      { ...named('count', '枚数', 'How many images (1-4)', '生成する枚数（1〜4）'), type: T.Integer, min_value: 1, max_value: 4 },
    ],
  },
  { ...named('jobs', 'ジョブ', 'Your queued and running jobs', '待機中・実行中のあなたのジョブ'), ...GUILD_ONLY },
  {
    ...named('cancel', 'キャンセル', 'Cancel one of your jobs', 'あなたのジョブをキャンセルします'),
    ...GUILD_ONLY,
    options: [{ ...named('job', 'ジョブ', 'Job id (as /jobs shows it)', 'ジョブID（/jobs に表示されるもの）'), type: T.String, required: true, max_length: 36 }],
  },
  {
    ...named('config', '設定', 'Server settings for image generation (admins)', '画像生成のサーバー設定（管理者）'),
    ...GUILD_ONLY,
    default_member_permissions: MANAGE_GUILD,
    options: [
      group(named('roles', 'ロール', 'Which Discord roles get which app role', 'Discordロールとアプリロールの対応'), [
        sub(named('set', '設定', 'Map a Discord role to an app role', 'Discordロールをアプリロールに対応付けます'), [
          roleOption,
          { ...named('app_role', 'アプリロール', 'The app role', 'アプリ内のロール'), type: T.String, required: true, choices: APP_ROLES },
        ]),
        sub(named('remove', '削除', 'Remove the mapping of a Discord role', 'Discordロールの対応付けを削除します'), [roleOption]),
        sub(named('list', '一覧', 'Show the role mapping', 'ロールの対応を表示します')),
        sub(named('default', '既定', 'App role of members with no mapped role', '対応付けのないメンバーのロール'), [
          { ...named('app_role', 'アプリロール', 'viewer or creator', '閲覧者または作成者'), type: T.String, required: true, choices: APP_ROLES.slice(0, 2) },
        ]),
      ]),
      group(named('limits', '制限', 'Rate and queue limits', 'レートとキューの制限'), [
        sub(named('set', '設定', 'Change limits (for everyone, or one app role)', '制限を変更します（全員または特定のロール）'), [
          { ...named('rate_per_minute', '毎分上限', 'Images per minute', '1分あたりの画像数'), type: T.Integer, min_value: 1, max_value: 1000 },
          { ...named('burst', 'バースト', 'Extra images allowed at once', '一度に追加で許可する数'), type: T.Integer, min_value: 0, max_value: 100 },
          { ...named('max_pending', '待機上限', 'Jobs one user may have waiting', '1人が待機できるジョブ数'), type: T.Integer, min_value: 1, max_value: 100 },
          { ...named('for_role', '対象ロール', 'Only for this app role', 'このアプリロールのみ'), type: T.String, choices: APP_ROLES.slice(1) },
        ]),
        sub(named('show', '表示', 'Show the limits', '制限を表示します')),
      ]),
      group(named('policy', 'ポリシー', 'Content policy', 'コンテンツポリシー'), [
        sub(named('blocklist-add', 'ブロック追加', 'Refuse prompts with this word', 'この単語を含むプロンプトを拒否します'), [wordOption]),
        sub(named('blocklist-remove', 'ブロック削除', 'Stop refusing this word', 'この単語の拒否をやめます'), [wordOption]),
        sub(named('nsfw-channel', 'nsfwチャンネル', 'Allow or disallow adult content in a channel', 'チャンネルで成人向けを許可・禁止します'), [
          { ...named('channel', 'チャンネル', 'The channel', '対象のチャンネル'), type: T.Channel, required: true, channel_types: [ChannelType.GuildText] },
          { ...named('nsfw', 'nsfw', 'Allowed there?', '許可しますか？'), type: T.Boolean, required: true },
        ]),
        sub(named('negative', 'ネガティブ', 'Negative prompt added to every job (empty clears it)', '全ジョブに付けるネガティブプロンプト（空で解除）'), [
          { ...named('text', 'テキスト', 'The negative prompt', 'ネガティブプロンプト'), type: T.String, max_length: 1000 },
        ]),
        sub(named('show', '表示', 'Show the content policy', 'コンテンツポリシーを表示します')),
      ]),
    ],
  },
  {
    ...named('token', 'トークン', 'Issue an HTTP API token (admins; shown only to you)', 'HTTP APIトークンを発行します（管理者・本人のみ表示）'),
    ...GUILD_ONLY,
    default_member_permissions: MANAGE_GUILD,
    options: [
      { ...named('user', 'ユーザー', 'Who the token is for', 'トークンの利用者'), type: T.User, required: true },
      { ...named('role', 'ロール', 'The role the token carries', 'トークンのロール'), type: T.String, required: true, choices: APP_ROLES },
      { ...named('days', '日数', 'Days until it expires (1-365)', '有効日数（1〜365）'), type: T.Integer, required: true, min_value: 1, max_value: 365 },
    ],
  },
];
