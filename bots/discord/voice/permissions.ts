/**
 * Can the bot listen in a member's voice channel? Checked before joining, so that a refusal is a
 * clear sentence instead of a join that hangs until its deadline.
 *
 * Needed in the voice channel: View Channel (see it), Connect (join it) and Speak (Discord's voice
 * servers expect a connected client that may speak; the bot stays muted). A full channel
 * (user limit reached) can only be joined with Move Members. Permission names as the Discord
 * client shows them (Server Settings → Roles).
 */
import { PermissionFlagsBits } from 'discord.js';

/** The permissions `/listen` needs in the voice channel, with the names users see. */
export const VOICE_PERMISSIONS = [
  { flag: PermissionFlagsBits.ViewChannel, name: 'View Channel' },
  { flag: PermissionFlagsBits.Connect, name: 'Connect' },
  { flag: PermissionFlagsBits.Speak, name: 'Speak' },
] as const;

/** The facts the check needs (read from discord.js's cache by the command handler). */
export interface VoiceAccessFacts {
  /** The caller's voice channel, or null when they are not in one. */
  readonly channel: {
    readonly name: string;
    /** Members in the channel now (bots included). */
    readonly memberCount: number;
    /** The channel's user limit; 0 = none. */
    readonly userLimit: number;
  } | null;
  /** The bot's permissions in that channel (a bitfield), or null when unknown. */
  readonly botPermissions: bigint | null;
}

/** The verdict: go ahead, or the sentence that says why not. */
export type VoiceAccess = { readonly ok: true } | { readonly ok: false; readonly text: string };

/**
 * Checks whether the bot may join and listen.
 *
 * @param facts - the caller's voice channel and the bot's permissions there
 * @returns ok, or a refusal naming the channel and the missing permissions
 */
export function checkVoiceAccess(facts: VoiceAccessFacts): VoiceAccess {
  const { channel, botPermissions } = facts;
  if (!channel) {
    return {
      ok: false,
      text: 'Join a voice channel first, then run /listen there: I listen in the channel you are in.',
    };
  }
  const has = (flag: bigint): boolean =>
    botPermissions !== null && (botPermissions & flag) === flag;
  const missing = VOICE_PERMISSIONS.filter((p) => !has(p.flag)).map((p) => p.name);
  if (missing.length > 0) {
    return {
      ok: false,
      text: `I can't listen in 🔊 ${channel.name}: I'm missing the ${missing.join(', ')} permission${missing.length > 1 ? 's' : ''} there. Ask a server admin to allow them for me in that channel.`,
    };
  }
  if (
    channel.userLimit > 0 &&
    channel.memberCount >= channel.userLimit &&
    !has(PermissionFlagsBits.MoveMembers)
  ) {
    return {
      ok: false,
      text: `🔊 ${channel.name} is full (${channel.userLimit} members). Make room, or let me join with the Move Members permission.`,
    };
  }
  return { ok: true };
}
