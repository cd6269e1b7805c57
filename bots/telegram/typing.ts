/**
 * "typing…" while a clip is analysed: Telegram shows a chat action for about 5 s, so it is
 * sent at once and re-sent every few seconds until the work is done.
 */
import type { Api } from 'grammy';

/** A running indicator. */
export interface TypingIndicator {
  /** Stops re-sending (the client clears the indicator when the reply arrives). */
  stop(): void;
}

/**
 * Starts showing "typing…" in a chat.
 *
 * @param api - grammY's API client
 * @param chatId - the chat
 * @param threadId - forum topic, when there is one
 * @param intervalMs - re-send period in ms (Telegram keeps an action ~5 s; default 4,000)
 * @returns the indicator; failures to send are ignored (the reply matters, not the dots)
 */
export function startTyping(
  api: Pick<Api, 'sendChatAction'>,
  chatId: number,
  threadId: number | undefined,
  intervalMs = 4000,
): TypingIndicator {
  const send = (): void => {
    api
      .sendChatAction(
        chatId,
        'typing',
        threadId !== undefined ? { message_thread_id: threadId } : undefined,
      )
      .catch(() => undefined);
  };
  send();
  const timer = setInterval(send, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
