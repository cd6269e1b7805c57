/**
 * Slack's side of the Events API and interactivity, for driving Bolt's real HTTP receiver: request
 * signing (v0 HMAC-SHA256 over `v0:${ts}:${body}`), and envelopes shaped like the ones Slack
 * sends (an `event_callback` around a `message`/`file_shared`/`app_mention` event, a
 * `block_actions` payload, a slash command form).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { FAKE_SLACK, type FakeSlackFile } from './slack-api.js';

/** The HTTP answer to one signed POST. */
export interface SignedResponse {
  readonly status: number;
  readonly body: string;
  /** Milliseconds from sending to the response's arrival. */
  readonly elapsedMs: number;
}

/**
 * Computes Slack's request signature.
 *
 * @param signingSecret - the app's signing secret
 * @param timestamp - seconds since the epoch, as sent in X-Slack-Request-Timestamp
 * @param body - the raw request body
 * @returns "v0=<hex HMAC-SHA256>"
 */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  const hmac = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`);
  return `v0=${hmac.digest('hex')}`;
}

/**
 * POSTs a body to Bolt's endpoint the way Slack does, signed with `signingSecret`.
 *
 * @param url - e.g. "http://127.0.0.1:P/slack/events"
 * @param body - JSON text (events) or form-encoded text (actions, commands)
 * @param contentType - "application/json" or "application/x-www-form-urlencoded"
 */
export async function postSigned(
  url: string,
  signingSecret: string,
  body: string,
  contentType: string,
): Promise<SignedResponse> {
  const timestamp = Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(signingSecret, timestamp, body),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, elapsedMs: performance.now() - started };
}

/** Wraps an event in Slack's `event_callback` envelope; returns the JSON body. */
export function eventCallback(event: Record<string, unknown>): string {
  return JSON.stringify(eventEnvelope(event));
}

/** Slack's `event_callback` envelope around an event (the Socket Mode `events_api` payload). */
export function eventEnvelope(event: Record<string, unknown>): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: FAKE_SLACK.teamId,
    context_team_id: FAKE_SLACK.teamId,
    context_enterprise_id: null,
    api_app_id: FAKE_SLACK.appId,
    event,
    type: 'event_callback',
    event_id: `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: FAKE_SLACK.teamId,
        user_id: FAKE_SLACK.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomUUID()}`,
  };
}

/** A `message` event with subtype `file_share`, as Slack sends it when a user uploads a file. */
export function fileShareMessage(options: {
  file: FakeSlackFile;
  ts: string;
  channel?: string;
  channelType?: 'channel' | 'group' | 'im';
  threadTs?: string;
  text?: string;
  /** Sender (default {@link FAKE_SLACK.userId}). */
  user?: string;
}): Record<string, unknown> {
  return {
    type: 'message',
    text: options.text ?? '',
    files: [options.file],
    upload: false,
    user: options.user ?? FAKE_SLACK.userId,
    display_as_bot: false,
    ts: options.ts,
    ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }),
    client_msg_id: randomUUID(),
    channel: options.channel ?? FAKE_SLACK.channelId,
    subtype: 'file_share',
    event_ts: options.ts,
    channel_type: options.channelType ?? 'channel',
  };
}

/** A `file_shared` event (it carries only the file id; the bot calls files.info). */
export function fileSharedEvent(file: FakeSlackFile, channel: string = FAKE_SLACK.channelId) {
  return {
    type: 'file_shared',
    channel_id: channel,
    file_id: file.id,
    user_id: FAKE_SLACK.userId,
    file: { id: file.id },
    event_ts: `${Math.floor(Date.now() / 1000)}.000200`,
  };
}

/** An `app_mention` event ("<@BOT> help"), optionally with files. */
export function appMention(options: {
  text: string;
  ts: string;
  files?: FakeSlackFile[];
}): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: FAKE_SLACK.userId,
    text: `<@${FAKE_SLACK.botUserId}> ${options.text}`,
    ts: options.ts,
    channel: FAKE_SLACK.channelId,
    event_ts: options.ts,
    ...(options.files === undefined ? {} : { files: options.files }),
  };
}

/** A `block_actions` payload for a button press on a bot message; returns the form body. */
export function blockActionsForm(options: {
  actionId: string;
  value: string;
  messageTs: string;
  threadTs?: string;
  responseUrl: string;
  channel?: string;
}): string {
  const channel = options.channel ?? FAKE_SLACK.channelId;
  const payload = {
    type: 'block_actions',
    user: {
      id: FAKE_SLACK.userId,
      username: 'listener',
      name: 'listener',
      team_id: FAKE_SLACK.teamId,
    },
    api_app_id: FAKE_SLACK.appId,
    token: 'legacy-verification-token',
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: channel,
      is_ephemeral: false,
      ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }),
    },
    trigger_id: `${Date.now()}.1234567890.abcdef`,
    team: { id: FAKE_SLACK.teamId, domain: FAKE_SLACK.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'music' },
    message: {
      type: 'message',
      user: FAKE_SLACK.botUserId,
      ts: options.messageTs,
      ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }),
      bot_id: FAKE_SLACK.botId,
      text: 'results',
    },
    state: { values: {} },
    response_url: options.responseUrl,
    actions: [
      {
        action_id: options.actionId,
        block_id: 'result-1',
        text: { type: 'plain_text', text: 'button', emoji: true },
        value: options.value,
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** What a slash command request carries ("/synesthete help"). */
export interface SlashCommandOptions {
  command: string;
  text: string;
  responseUrl: string;
  channel?: string;
}

/** A slash command request ("/synesthete help"); returns the form body. */
export function slashCommandForm(options: SlashCommandOptions): string {
  return new URLSearchParams(slashCommandPayload(options)).toString();
}

/** A slash command's fields (the Socket Mode `slash_commands` payload). */
export function slashCommandPayload(options: SlashCommandOptions): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: FAKE_SLACK.teamId,
    team_domain: FAKE_SLACK.teamDomain,
    channel_id: options.channel ?? FAKE_SLACK.channelId,
    channel_name: 'music',
    user_id: FAKE_SLACK.userId,
    user_name: 'listener',
    command: options.command,
    text: options.text,
    api_app_id: FAKE_SLACK.appId,
    is_enterprise_install: 'false',
    response_url: options.responseUrl,
    trigger_id: `${Date.now()}.1234567890.abcdef`,
  };
}
