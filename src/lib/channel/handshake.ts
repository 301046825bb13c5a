/**
 * The handshake's frames, without sockets or state: what a dialer says first, what a listener
 * welcomes it with, what proves the dialer answered this listener's challenge freshly, and what
 * the dialer learns from the welcome. The Channel carries them.
 *
 *   dialer                                   listener
 *     | -- hello {role, codecs, nonce} -----> |   verify MAC; name free? session valid? (no state changes)
 *     | <-- welcome {re, codec, session, nonce} |  (or close 4001 AUTH_FAILED / 4009 NAME_TAKEN)
 *     | -- auth {re: welcome.id, nonce} ----> |   the listener's nonce, under our key: fresh proof;
 *     | == frames, batched per destination == |   only now does the listener act (take the name...)
 */
import { randomBytes } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import type { Frame, FrameInit, FrameOf, HelloFrame, LinkRole } from '../wire/frames.js';
import type { NodeContext } from './node-context.js';

/**
 * What a listener decides about a hello: accept (with a session token) or throw a BotzError.
 * The decision must not change any state outside the channel: the hello may be a replay. What
 * accepting means (taking a name, replacing an older link) goes in `admit`, which runs once the
 * dialer answered the challenge, and may still refuse by throwing.
 */
export type HelloDecision<C = unknown> = (
  hello: HelloFrame,
  channel: C,
) => { session: string; heartbeatMs?: number; trace?: { bodies: boolean }; admit?: () => void };

/** What a dialer learns from the welcome besides the channel. */
export interface WelcomeTerms {
  session: string;
  heartbeatMs?: number;
  encrypt: boolean;
  /** Somebody tails the network (with bodies?): report traffic from the first call on. */
  trace?: { bodies: boolean };
}

/** Listener side, between the welcome and the dialer's auth: what the auth must answer. */
export interface Challenge {
  hello: HelloFrame;
  welcomeId: string;
  nonce: string;
  admit?: () => void;
}

const freshNonce = (): string => randomBytes(12).toString('base64url');

/** The dialer's first frame. */
export function helloFrame(ctx: NodeContext, role: LinkRole, session?: string): FrameInit {
  return {
    type: 'hello',
    role,
    codecs: ctx.codecs,
    nonce: freshNonce(),
    ...(session ? { session } : {}),
    ...(ctx.encrypt ? { encrypt: true } : {}),
  };
}

/** The listener's answer to a hello it accepted: the codec both speak, encryption if either asks, a fresh challenge. */
export function welcomeFor(ctx: NodeContext, hello: HelloFrame, decision: ReturnType<HelloDecision>): FrameInit<FrameOf<'welcome'>> {
  const encrypt = hello.encrypt === true || ctx.encrypt;
  const { session, heartbeatMs, trace } = decision;
  return {
    type: 'welcome',
    re: hello.id,
    codec: hello.codecs.find((c) => ctx.codecs.includes(c)) ?? 'json',
    session,
    nonce: freshNonce(),
    ...(heartbeatMs ? { heartbeatMs } : {}),
    ...(encrypt ? { encrypt } : {}),
    ...(trace ? { trace: true, ...(trace.bodies ? { traceBodies: true } : {}) } : {}),
  };
}

/** True when `auth` is the dialer's answer to this challenge: the welcome's id and nonce, from the name that said hello. */
export function answersChallenge(auth: Frame, challenge: Challenge): boolean {
  return auth.type === 'auth' && auth.re === challenge.welcomeId && auth.nonce === challenge.nonce && auth.from === challenge.hello.from;
}

/** What the dialer learns from the listener's answer to its hello (anything but a welcome is a broken handshake). */
export function termsOf(welcome: Frame, ctx: NodeContext): WelcomeTerms {
  if (welcome.type !== 'welcome') throw new BotzError(ErrorCode.MALFORMED_FRAME, `expected welcome, got ${welcome.type}`);
  return {
    session: welcome.session,
    heartbeatMs: welcome.heartbeatMs,
    encrypt: welcome.encrypt === true || ctx.encrypt,
    ...(welcome.trace ? { trace: { bodies: welcome.traceBodies === true } } : {}),
  };
}
