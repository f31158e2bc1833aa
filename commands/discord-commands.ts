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

const backendName = { ...named('name', '名前', 'The backend\'s name (as /backend list shows it)', 'バックエンド名（/backend list の表示どおり）'), type: T.String, required: true, max_length: 32 } as const;
const roleOption = { ...named('role', 'ロール', 'A Discord role of this server', 'このサーバーのDiscordロール'), type: T.Role, required: true } as const;
const wordOption = { ...named('word', '単語', 'A word or phrase', '単語またはフレーズ'), type: T.String, required: true, max_length: 100 } as const;
const projectOption = (required: boolean, description = 'Project', ja = 'プロジェクト') =>
  ({ ...named('project', 'プロジェクト', description, ja), type: T.String, autocomplete: true, max_length: 64, required }) as const;
function characterOption(name: string, ja: string, description: string, jaDescription: string, required = false) {
  return { ...named(name, ja, description, jaDescription), type: T.String, autocomplete: true, max_length: 48, required } as const;
}
const VISIBILITY = [choice('space', 'サーバー全員', 'space'), choice('private', 'メンバー限定', 'private'), choice('public', '公開リンク', 'public')];
const visibilityOption = (required: boolean) =>
  ({ ...named('visibility', '公開範囲', 'Who can see it', '閲覧できる人'), type: T.String, choices: VISIBILITY, required }) as const;
const userFilter = { ...named('user', 'ユーザー', 'Only images by this member', 'このメンバーの画像のみ'), type: T.User } as const;
const characterScope = projectOption(false, 'The character\'s project (default: whole server)', 'キャラクターのプロジェクト（既定はサーバー全体）');
/** The fields of /character create and edit (create requires `fragment`). */
function characterFieldOptions(create: boolean): APIApplicationCommandOption[] {
  return [
    { ...named('fragment', 'プロンプト断片', 'Prompt text that draws this character', 'このキャラクターを描くプロンプト'), type: T.String, max_length: 500, required: create },
    { ...named('description', '説明', 'Who the character is', 'キャラクターの説明'), type: T.String, max_length: 500 },
    { ...named('negative', 'ネガティブ', 'Negative prompt text for this character', 'このキャラクター用のネガティブプロンプト'), type: T.String, max_length: 500 },
    { ...named('seed', 'シード', 'Reference seed', '基準シード値'), type: T.Integer, min_value: 0, max_value: 4_294_967_295 },
    { ...named('lora', 'lora', 'LoRA file name (empty removes it)', 'LoRAファイル名（空で解除）'), type: T.String, max_length: 200 },
    { ...named('lora_weight', 'loraの強さ', 'LoRA weight (default 1)', 'LoRAの強さ（既定は1）'), type: T.Number, min_value: -10, max_value: 10 },
  ] as never;
}
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
      { ...named('project', 'プロジェクト', 'Project for the image (default: the channel\'s)', '保存先プロジェクト（既定はチャンネルの設定）'), type: T.String, autocomplete: true, max_length: 64 },
      // Three options rather than one comma-separated list, so each name gets its own autocomplete.
      characterOption('character', 'キャラクター', 'A character to draw', '描くキャラクター'),
      characterOption('character2', 'キャラクター2', 'A second character', '2人目のキャラクター'),
      characterOption('character3', 'キャラクター3', 'A third character', '3人目のキャラクター'),
      { ...named('model', 'モデル', 'Model to draw with (default: the first offered)', '使うモデル（既定は最初のもの）'), type: T.String, autocomplete: true, max_length: 80 },
      { ...named('image', '参考画像', 'A picture to start from (PNG, JPEG or WebP)', '元にする画像（PNG・JPEG・WebP）'), type: T.Attachment },
      { ...named('strength', '強さ', 'How much the picture shapes the result (0-1, default 0.6)', '画像の影響の強さ（0〜1、既定0.6）'), type: T.Number, min_value: 0, max_value: 1 },
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
          { ...named('gpu_minutes_per_day', 'gpu分数', 'GPU minutes per user per UTC day (0 removes the quota)', '1人1日（UTC）あたりのGPU分数（0で制限なし）'), type: T.Integer, min_value: 0, max_value: 14_400 },
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
  {
    ...named('project', 'プロジェクト', 'Projects: where images are kept (changes: moderators)', 'プロジェクト：画像の保存先（変更はモデレーター）'),
    ...GUILD_ONLY,
    options: [
      sub(named('create', '作成', 'Create a project', 'プロジェクトを作成します'), [
        { ...named('name', '名前', 'Project name', 'プロジェクト名'), type: T.String, required: true, max_length: 80 },
        { ...named('slug', 'スラッグ', 'Short id in links (default: from the name)', 'リンク用の短いID（既定は名前から）'), type: T.String, max_length: 64 },
        { ...named('description', '説明', 'What the project is', 'プロジェクトの説明'), type: T.String, max_length: 1000 },
        visibilityOption(false),
      ] as never),
      sub(named('list', '一覧', 'Projects you can see', '閲覧できるプロジェクト'), [
        { ...named('archived', 'アーカイブ', 'Include archived projects', 'アーカイブ済みも含める'), type: T.Boolean },
      ] as never),
      sub(named('use', '使用', 'Make it this channel\'s default for /generate', 'このチャンネルの /generate の既定にします'), [projectOption(true)]),
      sub(named('rename', '名前変更', 'Rename a project', 'プロジェクト名を変更します'), [
        projectOption(true),
        { ...named('name', '名前', 'New name', '新しい名前'), type: T.String, required: true, max_length: 80 },
      ] as never),
      sub(named('describe', '説明', 'Change a project\'s description', 'プロジェクトの説明を変更します'), [
        projectOption(true),
        { ...named('text', 'テキスト', 'The description (empty clears it)', '説明（空で解除）'), type: T.String, max_length: 1000 },
      ] as never),
      sub(named('visibility', '公開範囲', 'Who can see a project', 'プロジェクトの公開範囲'), [projectOption(true), visibilityOption(true)]),
      sub(named('archive', 'アーカイブ', 'Archive a project (stays browsable)', 'プロジェクトをアーカイブします（閲覧は可能）'), [projectOption(true)]),
      sub(named('members', 'メンバー', 'Add or remove a member of a private project', '非公開プロジェクトのメンバーを追加・削除'), [
        projectOption(true),
        { ...named('add', '追加', 'Member to add', '追加するメンバー'), type: T.User },
        { ...named('remove', '削除', 'Member to remove', '削除するメンバー'), type: T.User },
      ] as never),
      sub(named('info', '情報', 'About a project', 'プロジェクトの情報'), [projectOption(true)]),
    ],
  },
  {
    ...named('character', 'キャラクター', 'Characters: a consistent cast (changes: moderators)', 'キャラクター：一貫したキャスト（変更はモデレーター）'),
    ...GUILD_ONLY,
    options: [
      sub(named('create', '作成', 'Create a character', 'キャラクターを作成します'), [
        { ...named('name', '名前', 'Character name', 'キャラクター名'), type: T.String, required: true, max_length: 48 },
        ...characterFieldOptions(true).slice(0, 1),
        characterScope,
        ...characterFieldOptions(true).slice(1),
      ] as never),
      sub(named('list', '一覧', 'Characters you can use', '使えるキャラクター'), [characterScope]),
      sub(named('show', '表示', 'About a character', 'キャラクターの情報'), [characterOption('name', '名前', 'Character', 'キャラクター', true), characterScope]),
      sub(named('edit', '編集', 'Change a character', 'キャラクターを編集します'), [
        characterOption('name', '名前', 'Character', 'キャラクター', true),
        characterScope,
        { ...named('new_name', '新しい名前', 'New name', '新しい名前'), type: T.String, max_length: 48 },
        ...characterFieldOptions(false),
      ] as never),
      sub(named('reference', '参考画像', 'Add a reference picture to a character', 'キャラクターに参考画像を追加します'), [
        characterOption('name', '名前', 'Character', 'キャラクター', true),
        { ...named('image', '画像', 'The picture (PNG, JPEG or WebP)', '画像（PNG・JPEG・WebP）'), type: T.Attachment, required: true },
        characterScope,
      ]),
      sub(named('delete', '削除', 'Delete a character', 'キャラクターを削除します'), [characterOption('name', '名前', 'Character', 'キャラクター', true), characterScope]),
    ],
  },
  {
    ...named('history', '履歴', 'Latest images, by member or project', '最新の画像（メンバー・プロジェクト別）'),
    ...GUILD_ONLY,
    options: [userFilter, projectOption(false)] as never,
  },
  {
    ...named('search', '検索', 'Search images by prompt and character', 'プロンプトやキャラクターで画像を検索'),
    ...GUILD_ONLY,
    options: [
      { ...named('text', 'テキスト', 'Words in the prompt or character name', 'プロンプトやキャラクター名の語'), type: T.String, required: true, max_length: 200 },
      characterOption('character', 'キャラクター', 'Only images of this character', 'このキャラクターの画像のみ'),
      userFilter,
      { ...named('kind', '種類', 'Image or video', '画像または動画'), type: T.String, choices: [choice('image', '画像', 'image'), choice('video', '動画', 'video')] },
      projectOption(false),
    ] as never,
  },
  { ...named('gallery', 'ギャラリー', 'A private link to this server\'s galleries (1 hour)', 'このサーバーのギャラリーへの個人用リンク（1時間）'), ...GUILD_ONLY },
  {
    ...named('usage', '使用量', 'Your GPU time per day and what is left today (admins: anyone\'s)', '1日ごとのGPU使用時間と今日の残り（管理者は全員分）'),
    ...GUILD_ONLY,
    options: [
      { ...named('user', 'ユーザー', 'A member (admins)', 'メンバー（管理者）'), type: T.User },
      projectOption(false, 'A project (admins)', 'プロジェクト（管理者）'),
      { ...named('server', 'サーバー', 'The whole server (admins)', 'サーバー全体（管理者）'), type: T.Boolean },
      { ...named('days', '日数', 'Days to show, ending today (UTC; default 7)', '今日までの表示日数（UTC・既定は7）'), type: T.Integer, min_value: 1, max_value: 92 },
    ] as never,
  },
  {
    ...named('backend', 'バックエンド', 'The GPU backends: list, drain, resume (admins)', 'GPUバックエンドの一覧・停止・再開（管理者）'),
    ...GUILD_ONLY,
    default_member_permissions: MANAGE_GUILD,
    options: [
      sub(named('list', '一覧', 'Each backend and what it is doing', '各バックエンドと現在の状態')),
      sub(named('drain', '停止', 'Finish the current job, then take no more', '実行中のジョブを終えたら新しいジョブを受けない'), [backendName]),
      sub(named('resume', '再開', 'Take work again', '再びジョブを受ける'), [backendName]),
    ],
  },
];
