/**
 * The files.uploadV2 flow as the WebClient drives it (web-api file-upload.ts, WebClient.ts):
 *   1. files.getUploadURLExternal {filename, length} -> {upload_url (absolute), file_id}
 *   2. POST upload_url, multipart part 'body' (filename 'Untitled'), Bearer header -> HTTP 200
 *   3. files.completeUploadExternal {files:'[{"id","title"}]', channel_id?, thread_ts?, ...}
 * The share message appears at step 3. Slack shares asynchronously and its completion response
 * usually has empty `shares`/`channels`; we answer the same so an app cannot come to rely on them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlackApiError, isRecord } from './args.js';
import { bearer, mediaType, parseBody, sendText } from './http.js';
import { checkContent, storeMessage } from './messages.js';
import type { FakeSlackState } from './state.js';
import type { FakeFile, FileObject, StoredMessage } from './types.js';
import type { MethodHandler } from './methods/context.js';

const MIME_BY_EXT: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif',
  mp4: 'video/mp4', webm: 'video/webm', txt: 'text/plain', json: 'application/json',
};

function sniffMime(filename: string, bytes?: Buffer): string {
  if (bytes?.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes && bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes?.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return MIME_BY_EXT[ext] ?? 'application/octet-stream';
}

const getUploadURLExternal: MethodHandler = ({ state, args, token, contentType }) => {
  // Reported live (Octember/earshot#10): a JSON body is refused as if the fields were missing.
  if (contentType === 'application/json') throw new SlackApiError('invalid_arguments');
  const filename = args.str('filename', 'invalid_arguments');
  const length = args.optInt('length');
  if (length === undefined || Number.isNaN(length) || length < 0) {
    throw new SlackApiError('invalid_arguments', { detail: 'length (bytes) is required' });
  }
  const altText = args.optStr('alt_text') ?? args.optStr('alt_txt');
  if (altText !== undefined && altText.length > 1000) throw new SlackApiError('alt_txt_too_large');
  const file: FakeFile = {
    id: state.newId('F'),
    filename,
    length,
    state: 'reserved',
    reservedWithToken: token,
    mimetype: sniffMime(filename),
    ...(altText !== undefined ? { alt_text: altText } : {}),
  };
  state.files.set(file.id, file);
  state.changed('file');
  return { upload_url: `${state.baseUrl}/upload/${file.id}`, file_id: file.id };
};

/** Step 2. Answers like files.slack.com: 200 "OK - <bytes>". Length mismatch -> 400 (UNVERIFIED). */
export async function handleUpload(state: FakeSlackState, fileId: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
  const file = state.files.get(fileId);
  if (!file || file.state === 'completed') return sendText(res, 404, 'file_not_found');
  const token = bearer(req);
  // The URL itself is the credential; a wrong token is still a bug worth surfacing.
  if (token !== undefined && state.tokenKind(token) === undefined) return sendText(res, 401, 'invalid_auth');
  let bytes = raw;
  let part = { name: '', filename: '' };
  if (mediaType(req) === 'multipart/form-data') {
    const first = (await parseBody(req, raw)).files[0];
    if (!first) return sendText(res, 400, 'no file part');
    bytes = first.bytes;
    part = { name: first.name, filename: first.filename };
  }
  if (bytes.length !== file.length) return sendText(res, 400, `length mismatch: declared ${file.length}, received ${bytes.length}`);
  file.bytes = bytes;
  file.uploadPart = part;
  file.state = 'uploaded';
  file.mimetype = sniffMime(file.filename, bytes);
  if (token !== undefined) file.uploadToken = token;
  state.changed('file');
  sendText(res, 200, `OK - ${bytes.length}`);
}

/** Serves url_private downloads to holders of a valid token, as files.slack.com does. */
export function handleDownload(state: FakeSlackState, fileId: string, req: IncomingMessage, res: ServerResponse): void {
  const file = state.files.get(fileId);
  if (state.tokenKind(bearer(req)) === undefined) return sendText(res, 403, 'forbidden');
  if (!file?.bytes || file.state !== 'completed') return sendText(res, 404, 'not found');
  res.writeHead(200, { 'content-type': file.mimetype, 'content-length': file.bytes.length });
  res.end(file.bytes);
}

function fileObject(state: FakeSlackState, file: FakeFile, title: string): FileObject {
  const { identity } = state;
  const created = Math.floor(state.now() / 1000);
  const ext = file.filename.includes('.') ? (file.filename.split('.').pop() ?? '') : '';
  const privateUrl = `${state.baseUrl}/files-pri/${identity.teamId}-${file.id}/${encodeURIComponent(file.filename)}`;
  return {
    id: file.id, created, timestamp: created, name: file.filename, title, mimetype: file.mimetype,
    filetype: ext.toLowerCase(), pretty_type: ext.toUpperCase(), user: identity.botUserId, user_team: identity.teamId,
    size: file.bytes?.length ?? 0, mode: 'hosted', is_external: false, is_public: false,
    url_private: privateUrl, url_private_download: `${privateUrl}?download=1`,
    permalink: `https://${identity.teamDomain}.slack.com/files/${identity.botUserId}/${file.id}/${encodeURIComponent(file.filename)}`,
    permalink_public: `https://slack-files.com/${identity.teamId}-${file.id}-fake`,
    ...(file.alt_text !== undefined ? { alt_txt: file.alt_text } : {}),
    shares: {}, channels: [], groups: [], ims: [], has_more_shares: false, file_access: 'visible',
  };
}

/** Error codes for unknown / never-uploaded / already-completed ids are UNVERIFIED. */
const completeUploadExternal: MethodHandler = ({ state, args }) => {
  const entries = args.optJson('files');
  if (!Array.isArray(entries) || entries.length === 0 || !entries.every(isRecord)) {
    throw new SlackApiError('invalid_arguments', { detail: 'files must be a non-empty array of {id, title}' });
  }
  const channelArg = args.optStr('channel_id') ?? args.optStr('channels')?.split(',')[0];
  const channel = channelArg === undefined ? undefined : state.resolveChannel(channelArg);
  if (channelArg !== undefined && !channel) throw new SlackApiError('channel_not_found');
  const threadTs = args.optStr('thread_ts');
  if (threadTs !== undefined && !channel) throw new SlackApiError('invalid_arguments', { detail: 'thread_ts needs channel_id' });
  const pending = entries.map((entry) => {
    const file = typeof entry.id === 'string' ? state.files.get(entry.id) : undefined;
    if (!file) throw new SlackApiError('file_not_found');
    if (file.state === 'reserved') throw new SlackApiError('file_not_uploaded');
    if (file.state === 'completed') throw new SlackApiError('file_already_completed');
    return { file, title: typeof entry.title === 'string' ? entry.title : file.filename };
  });
  const comment = args.optStr('initial_comment');
  // Slack docs: blocks are ignored when initial_comment is given.
  const content = checkContent({ text: comment, blocks: comment === undefined ? args.optJson('blocks', 'invalid_blocks_format') : undefined }, false);
  const objects = pending.map(({ file, title }) => {
    file.state = 'completed';
    file.title = title;
    file.object = fileObject(state, file, title);
    return file.object;
  });
  if (channel) {
    const message = storeMessage(state, {
      channel: channel.id, content, via: 'files.completeUploadExternal', files: objects, created_with: args.raw,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    for (const { file } of pending) file.shared_to = { channel: channel.id, message_ts: message.ts, ...(threadTs ? { thread_ts: threadTs } : {}) };
  }
  state.changed('file');
  return { files: objects };
};

/** files.info {file}: a file the token may see; unknown ids are file_not_found (as Slack documents). */
const filesInfo: MethodHandler = ({ state, args }) => {
  const file = state.files.get(args.str('file', 'file_not_found'));
  if (!file || file.state !== 'completed') throw new SlackApiError('file_not_found');
  return { file: fileObject(state, file, file.title ?? file.filename), comments: [], response_metadata: { next_cursor: '' } };
};

/** A file a user uploaded themselves (a modal's file_input, a share in a channel): complete, downloadable with the bot token. */
export function addUserFile(state: FakeSlackState, filename: string, bytes: Buffer): string {
  const file: FakeFile = { id: state.newId('F'), filename, title: filename, length: bytes.length, state: 'completed', bytes, reservedWithToken: '', mimetype: sniffMime(filename, bytes) };
  state.files.set(file.id, file);
  state.changed('file');
  return file.id;
}

/**
 * A user's message sharing files they uploaded (what a client posts when a user attaches files to
 * a message): stored like any message, the files' objects on it owned by that user. Slack then
 * sends the app a `message` event of subtype `file_share` (the driver's fileShareMessage).
 */
export function shareUserFiles(state: FakeSlackState, init: { channel: string; userId: string; text: string; threadTs?: string; fileIds: string[] }): StoredMessage {
  const objects = init.fileIds.map((id) => {
    const file = state.files.get(id);
    if (!file || file.state !== 'completed') throw new Error(`shareUserFiles: no completed file ${id}`);
    return { ...fileObject(state, file, file.title ?? file.filename), user: init.userId };
  });
  const message = storeMessage(state, { channel: init.channel, content: { text: init.text }, via: 'seed', user: init.userId, files: objects, ...(init.threadTs ? { thread_ts: init.threadTs } : {}) });
  for (const id of init.fileIds) {
    const file = state.files.get(id)!;
    file.shared_to = { channel: init.channel, message_ts: message.ts, ...(init.threadTs ? { thread_ts: init.threadTs } : {}) };
  }
  state.changed('file');
  return message;
}

export const fileMethods: Record<string, MethodHandler> = {
  'files.info': filesInfo,
  'files.getUploadURLExternal': getUploadURLExternal,
  'files.completeUploadExternal': completeUploadExternal,
};
