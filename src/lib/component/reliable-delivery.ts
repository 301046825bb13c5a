/**
 * Reliable delivery for a Component: one ReliableLink per peer, carried along whatever route
 * reaches that peer (direct or relay), resumed whenever that route breaks.
 * PLACEHOLDER — being built (issue 8); every method fails clearly until then.
 */
import { BotzError, ErrorCode } from '../errors.js';
import type { Channel } from '../channel/channel.js';
import type { Body, Frame } from '../wire/frames.js';
import type { CallOptions } from './client.js';
import type { Message } from './component.js';
import type { ClientExtension, ExtensionHost } from './extension.js';

export interface ReliableOptions {
  /** Messages in flight per peer before `deliver` waits. */
  windowSize?: number;
  /** Messages held for the application per peer before the sender is told to wait. */
  inboxCapacity?: number;
}

export class ReliableDelivery implements ClientExtension {
  readonly frameTypes = ['data', 'sack', 'resume'] as const;

  constructor(
    private readonly host: ExtensionHost,
    private readonly options: ReliableOptions,
    private readonly handler?: (message: Message) => unknown,
  ) {}

  deliver(_target: string, _body: Body, _options: CallOptions): Promise<void> {
    return Promise.reject(new BotzError(ErrorCode.INVALID_ARGUMENT, 'reliable delivery is not available yet'));
  }

  messages(): AsyncIterableIterator<Message> {
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'reliable delivery is not available yet');
  }

  read(_n?: number): Message[] {
    return [];
  }

  onFrame(_frame: Frame, _channel: Channel): void {}
}
