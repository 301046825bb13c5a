/**
 * A node's outgoing calls: a frame that expects an answer (a request, a broadcast to one
 * receiver, a shutdown request) goes along the route the router picks, and its answer settles
 * the node's one pending map, whichever path either took. One deadline bounds the whole call:
 * lookup, dial and answer together. While somebody tails, each call is reported.
 */
import { BotzError, ErrorCode, errorFromWire, isBotzError } from '../errors.js';
import { cancellable, throwIfCancelled } from '../cancel.js';
import type { NodeContext } from '../channel/node-context.js';
import type { PendingRequests } from '../channel/pending.js';
import { remaining } from '../clock.js';
import { SERVER_DESTINATION } from '../wire/packet.js';
import type { FrameInit, Path } from '../wire/frames.js';
import { answeredCall, failedCall, type TrafficReport } from './call-trace.js';
import type { Answer } from './inbound.js';
import type { Feed } from './feed.js';
import type { CallOptions as PublicCallOptions } from './options.js';
import type { Locator } from './locator.js';
import { sendOn, type Route } from './route.js';
import type { Router } from './router.js';

export interface CallerDeps {
  ctx: NodeContext;
  router: Router;
  locator: Locator;
  calls: PendingRequests<Answer>;
  /** The node's default call timeout. */
  timeoutMs: number;
  /** Somebody tails: report each call (and with bodies?). */
  trace: Pick<Feed, 'tracing' | 'traceBodies'>;
  report(event: TrafficReport): void;
}

/** A public call's timeout and signal; `route` goes this way instead of asking the router (the mesh, for a mesh request). */
export type CallOptions = Pick<PublicCallOptions, 'timeout' | 'signal'> & { route?: Route };

/** One deadline for the whole call, the timeout it came from (for messages), and its signal. */
interface Bounds {
  deadline: number;
  timeout: number;
  signal?: AbortSignal;
}

export class Caller {
  constructor(private readonly deps: CallerDeps) {}

  /** Sends `init` to `target` and resolves with the frame that answers it. Rejects with what went wrong. */
  call(target: string, init: FrameInit, options: CallOptions = {}): Promise<Answer> {
    const timeout = options.timeout ?? this.deps.timeoutMs;
    const bounds = { deadline: this.deps.ctx.clock.now() + timeout, timeout, signal: options.signal };
    // The hot path: an open direct link, nothing awaited before the frame goes, no extra promise.
    const ready = options.route ?? this.deps.router.ready(target);
    return ready && ready.path !== 'relay' ? this.over(ready, init, bounds) : this.routed(target, init, bounds, ready);
  }

  /** A call that may wait for its route, or go again directly (see below). */
  private async routed(target: string, init: FrameInit, bounds: Bounds, given: Route | undefined): Promise<Answer> {
    const { ctx, router } = this.deps;
    const { deadline } = bounds;
    const route = given ?? (await cancellable(() => router.route(target, deadline), bounds.signal, `the ${init.type} to "${target}"`));
    try {
      return await this.over(route, init, bounds);
    } catch (error) {
      // A one-shot's relayed request the server would not pass on (the target asked for
      // encryption, which a direct link negotiates): nothing ran, so it may go again, directly.
      if (route.path !== 'relay' || !isBotzError(error) || error.code !== ErrorCode.ENCRYPTION_REQUIRED || ctx.clock.now() >= deadline) throw error;
      const info = await this.deps.locator.resolve(route.target, deadline);
      const direct = await router.toEntry(info, deadline);
      if (direct.path === 'relay') throw error;
      return this.over(direct, init, bounds);
    }
  }

  /**
   * Sends a frame that expects no answer (a reliable frame) to `peer`; resolves with the path it
   * took once it left (over the mesh: once the target's node acknowledged it). Rejects with why
   * it found no way (NO_SUCH_COMPONENT, NO_ROUTE, TIMEOUT...).
   */
  async post(peer: string, init: FrameInit, timeoutMs: number): Promise<Path> {
    const { ctx, router } = this.deps;
    const route = router.ready(peer) ?? (await router.route(peer, ctx.clock.now() + timeoutMs));
    await sendOn(route, ctx.stamp(init));
    return route.path;
  }

  private async over(route: Route, init: FrameInit, bounds: Bounds): Promise<Answer> {
    const { ctx, calls, router, trace } = this.deps;
    const target = route.target;
    const traced = trace.tracing ? { self: ctx.name, target, init, path: route.path, startedAt: ctx.clock.now(), bodies: trace.traceBodies } : undefined;
    // Refused requests are not sent: a caller told TOO_MANY_PENDING may retry without running it
    // twice, and a call cancelled already sends nothing.
    throwIfCancelled(bounds.signal, `the ${init.type} to "${target}"`);
    calls.assertRoom();
    const frame = ctx.stamp(init);
    const answered = calls.add(frame.id, {
      timeoutMs: remaining(ctx.clock, bounds.deadline),
      shownTimeoutMs: bounds.timeout,
      describe: () => `the ${init.type} to ${target === SERVER_DESTINATION ? 'the server' : `"${target}"`}`,
      signal: bounds.signal,
      peer: target,
      tag: route.path === 'mesh' ? undefined : route.channel,
    });
    try {
      sendOn(route, frame)?.catch((error: BotzError) => calls.fail(frame.id, error));
    } catch (error) {
      calls.fail(frame.id, error as BotzError);
    }
    try {
      const answer = await answered;
      if (answer.frame.type === 'error') throw errorFromWire(answer.frame.code, answer.frame.message, { from: answer.frame.from });
      if (traced) for (const event of answeredCall(traced, answer.frame, ctx.clock.now())) this.deps.report(event);
      return answer;
    } catch (error) {
      router.failed(target, error);
      if (traced) this.deps.report(failedCall(traced, ctx.clock.now()));
      throw error;
    }
  }
}
