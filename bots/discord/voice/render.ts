/**
 * What `/listen` and `/stop` say. Answers reuse the attachment path's rendering (../render.ts:
 * one embed, the spectrogram, one row of 👍/👎/"More like" buttons per result) with one line on
 * top saying what was heard; everything else is one friendly sentence.
 */
import { type DiscordMessageBody, renderAnswer, textBody } from '../render.js';
import type { ListenOutcome, SessionMessage } from './session.js';

/** What the listening announcement and the answers mention. */
export interface ListenContext {
  /** The voice channel's name. */
  readonly channelName: string;
  readonly mode: 'once' | 'continuous';
  /** Seconds per answer. */
  readonly seconds: number;
  /** The chosen member's display name; absent: everyone. */
  readonly userName?: string | undefined;
}

const whom = (c: ListenContext): string => (c.userName ? c.userName : 'everyone speaking');

/**
 * The message for something the session posts.
 *
 * @param message - the announcement or an answer
 * @param context - channel, mode, duration, member
 * @returns a Discord message body (content, embed, buttons, spectrogram)
 */
export function renderSessionMessage(
  message: SessionMessage,
  context: ListenContext,
): DiscordMessageBody {
  if (message.kind === 'listening') {
    return textBody(
      context.mode === 'continuous'
        ? `🎧 Listening to ${whom(context)} in 🔊 ${context.channelName}. I'll post what I hear when the music changes (at most every 30 s). /stop to end.`
        : `🎧 Listening to ${whom(context)} in 🔊 ${context.channelName} for up to ${context.seconds} s…`,
    );
  }
  const body = renderAnswer(message.answer);
  const heard = `🎧 Heard ${message.heardS.toFixed(0)} s of ${whom(context)} in 🔊 ${context.channelName}:`;
  return { ...body, content: body.content ? `${heard}\n${body.content}` : heard };
}

/**
 * The closing sentence for how a session ended, or undefined when nothing needs saying (the
 * answer itself was the end).
 *
 * @param outcome - see {@link ListenOutcome}
 * @param context - channel, mode, duration, member
 */
export function renderOutcome(outcome: ListenOutcome, context: ListenContext): string | undefined {
  const channel = `🔊 ${context.channelName}`;
  switch (outcome.reason) {
    case 'answered':
      return undefined;
    case 'stopped':
      return `Stopped listening in ${channel}.`;
    case 'idle-timeout':
      return `I heard no music in ${channel} for a while, so I left. /listen to start again.`;
    case 'max-duration':
      return `I've been listening in ${channel} for an hour, so I left. /listen to start again.`;
    case 'channel-empty':
      return `Everyone left ${channel}, so I left too.`;
    case 'user-left':
      return `${context.userName ?? 'The member I was listening to'} left ${channel}, so I stopped listening.`;
    case 'no-audio':
      return outcome.heardS < 0.5
        ? `I heard nothing in ${channel}. Play some music there (or pick the member who plays it with the user option) and try /listen again.`
        : `I only heard ${outcome.heardS.toFixed(1)} s of sound in ${channel} — I need at least 5 s of music. Try /listen again while it plays.`;
    case 'join-failed':
      return outcome.timedOut
        ? `I couldn't connect to ${channel} in time. Discord's voice servers may be slow; try /listen again in a moment.`
        : `I couldn't join ${channel}. Check that I may connect there and try again.`;
    case 'connection-lost':
      return `I lost the connection to ${channel}. /listen to start again.`;
    case 'analysis-timeout':
      return 'Listening worked, but analysing took too long. Please try again in a moment.';
    case 'error':
      return 'Sorry, something went wrong while listening. Please try again in a moment.';
  }
}

/** Texts of `/listen` and `/stop` outside a session. */
export const LISTEN_TEXTS = {
  /** `/listen` outside a server. */
  guildOnly: '/listen works in a server with voice channels, not in DMs.',
  /** @param channelName - where the running session listens */
  alreadyListening: (channelName: string) =>
    `I'm already listening in 🔊 ${channelName}. Use /stop first.`,
  /** `/stop` with nothing running. */
  notListening: "I'm not listening anywhere in this server.",
  /** `/stop` acknowledged. */
  stopping: 'Stopping…',
  /** The chosen member is not in the caller's voice channel. */
  userNotThere: (userName: string, channelName: string) =>
    `${userName} isn't in 🔊 ${channelName}. Pick someone in your voice channel, or leave out the user option to listen to everyone.`,
  /** The chosen member is the bot itself. */
  notMyself: "I can't listen to myself — pick the member who plays the music.",
} as const;
