/**
 * Joining a voice channel with `@discordjs/voice` and keeping the connection: wait for Ready with
 * an AbortSignal, ride out network drops (the library rejoins by itself; we give it a grace
 * period, as the discord.js guide's "handling disconnects" recipe does), and report when the
 * connection is gone for good. The bot joins undeafened (`selfDeaf: false`) — a deafened bot
 * receives nothing — and muted (it never plays).
 *
 * The rest of the voice code sees only {@link VoiceLink}; tests inject a {@link VoiceConnector}
 * without UDP, and this file's own tests drive a fake `VoiceConnection` through its states.
 */
import {
  type DiscordGatewayAdapterCreator,
  entersState,
  joinVoiceChannel,
  type VoiceConnection,
  VoiceConnectionStatus,
} from '@discordjs/voice';
import type { OpusReceiver } from './capture.js';

/** Where to join. */
export interface VoiceTarget {
  readonly guildId: string;
  readonly channelId: string;
  /** `guild.voiceAdapterCreator` from discord.js (sends voice-state updates over the gateway). */
  readonly adapterCreator: DiscordGatewayAdapterCreator;
}

/** A joined voice channel, as the listening session uses it. */
export interface VoiceLink {
  /** Opus packets of the members (see capture.ts). */
  readonly receiver: OpusReceiver;
  /**
   * Aborted when the connection is gone for good (destroyed, kicked, or not back within the
   * reconnect grace); `reason` is a {@link VoiceLinkLost}.
   */
  readonly lost: AbortSignal;
  /** Leaves the channel and frees the connection; safe to call twice. */
  leave(): void;
}

/** Why a {@link VoiceLink} was lost. */
export class VoiceLinkLost extends Error {
  override readonly name = 'VoiceLinkLost';
}

/**
 * Joins a voice channel.
 *
 * @param target - guild, channel and gateway adapter
 * @param signal - aborts the join (deadline or `/stop`); the half-open connection is destroyed
 * @returns the link once the connection is Ready
 * @throws `signal.reason` when aborted before Ready; the library's error when joining fails
 */
export type VoiceConnector = (target: VoiceTarget, signal: AbortSignal) => Promise<VoiceLink>;

/** Options of {@link createVoiceConnector}. */
export interface VoiceConnectorOptions {
  /**
   * How long a dropped connection may take to start rejoining (Signalling or Connecting) and
   * then to be Ready again, ms each (default 5,000 and 20,000: the guide's 5 s, and the same
   * ready wait as a first join).
   */
  readonly reconnectGraceMs?: number;
  readonly reconnectReadyMs?: number;
  /** `joinVoiceChannel` (tests pass one returning a fake connection). */
  readonly join?: (options: Parameters<typeof joinVoiceChannel>[0]) => VoiceConnection;
  /** One log line per event (no audio, no tokens). */
  readonly log?: (line: string) => void;
}

/**
 * The connector that joins for real with `@discordjs/voice` ≥ 0.19 (DAVE end-to-end encryption
 * through `@snazzah/davey`; needs Node ≥ 22.12).
 *
 * @param options - reconnect grace periods, log, and a `join` replacement for tests
 * @returns a {@link VoiceConnector}
 */
export function createVoiceConnector(options: VoiceConnectorOptions = {}): VoiceConnector {
  const join = options.join ?? joinVoiceChannel;
  const graceMs = options.reconnectGraceMs ?? 5_000;
  const readyMs = options.reconnectReadyMs ?? 20_000;
  const log = options.log ?? (() => undefined);

  return async (target, signal) => {
    signal.throwIfAborted();
    const connection = join({
      guildId: target.guildId,
      channelId: target.channelId,
      adapterCreator: target.adapterCreator,
      selfDeaf: false,
      selfMute: true,
    });
    const lost = new AbortController();
    const destroy = (): void => {
      if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
    };
    const loseWith = (why: string): void => {
      if (!lost.signal.aborted) lost.abort(new VoiceLinkLost(why));
    };
    try {
      await entersState(connection, VoiceConnectionStatus.Ready, signal);
    } catch (error) {
      destroy();
      throw signal.aborted ? signal.reason : error;
    }

    connection.on(VoiceConnectionStatus.Disconnected, () => {
      void (async () => {
        try {
          // Rejoining by itself (a moved bot, a voice-server change, a network blip)?
          await Promise.race([
            entersState(connection, VoiceConnectionStatus.Signalling, graceMs),
            entersState(connection, VoiceConnectionStatus.Connecting, graceMs),
          ]);
          log(`voice connection in ${target.guildId} dropped; reconnecting`);
          await entersState(connection, VoiceConnectionStatus.Ready, readyMs);
          log(`voice connection in ${target.guildId} is back`);
        } catch {
          if (connection.state.status === VoiceConnectionStatus.Destroyed) return;
          log(`voice connection in ${target.guildId} did not come back; leaving`);
          loseWith('the voice connection dropped and did not come back');
          destroy();
        }
      })();
    });
    connection.once(VoiceConnectionStatus.Destroyed, () =>
      loseWith('the voice connection was closed'),
    );

    return {
      receiver: connection.receiver,
      lost: lost.signal,
      leave() {
        loseWith('left');
        destroy();
      },
    };
  };
}
