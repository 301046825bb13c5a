/**
 * Holds what a link receives before its owner attaches handlers (a message can arrive between
 * a listener accepting a link and the protocol layer taking it), then hands it over in order.
 * Both transports use it, so "early messages are delivered after attach" means the same thing.
 */
import type { LinkHandlers } from './transport.js';

export class LinkInbox {
  private handlers: LinkHandlers | undefined;
  private early: Buffer[] = [];
  private earlyClose: [number, string] | undefined;

  attach(handlers: LinkHandlers): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const data of early) handlers.onMessage(data);
    if (this.earlyClose) handlers.onClose(...this.earlyClose);
  }

  message(data: Buffer): void {
    if (this.handlers) this.handlers.onMessage(data);
    else this.early.push(data);
  }

  close(code: number, reason: string): void {
    if (this.handlers) this.handlers.onClose(code, reason);
    else this.earlyClose = [code, reason];
  }
}
