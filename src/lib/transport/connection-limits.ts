/**
 * How much a listener lets the other ends of its connections make it hold, and for how long,
 * before they prove they hold a key. The defaults follow the process's file-descriptor limit: a
 * listener that accepts until accept() fails with EMFILE can accept nobody, so the caps are
 * reached first, with descriptors to spare for the process's own files and outgoing dials.
 */
import { readFileSync } from 'node:fs';
import { BotzError, ErrorCode } from '../errors.js';

export interface ConnectionLimits {
  /** Connections open at once, authenticated or not: below the descriptor limit, so accept() keeps working. */
  maxConnections: number;
  /** Connections not yet authenticated: each may make us buffer up to `maxUnauthenticatedMessageBytes`. */
  maxUnauthenticated: number;
  /** Connections not yet authenticated from one source (an IPv4 address, an IPv6 /64): one host cannot take all. */
  maxUnauthenticatedPerSource: number;
  /** From TCP accept to `authenticated()`, upgrade included; a connection that takes longer is closed. */
  handshakeTimeoutMs: number;
  /** Largest message before `authenticated()`: a hello is under 1 KiB; a stranger gets no more of our memory. */
  maxUnauthenticatedMessageBytes: number;
}

/** The same as the channel's handshake timeout: an honest peer needs a few milliseconds. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_BYTES = 64 * 1024;
/** Where the limit cannot be read (not Linux): the usual soft limit. */
export const FALLBACK_FD_LIMIT = 1024;
/** Descriptors kept back at least: a node process holds about 20 of its own before any connection. */
const MIN_RESERVED_FDS = 64;
/** Above this, memory, not descriptors, is what runs out (a limit of 2^20 descriptors is common). */
const MAX_DEFAULT_CONNECTIONS = 65_536;
/** 1024 strangers × 64 KiB pre-auth messages bound their memory at 64 MiB. */
const MAX_DEFAULT_UNAUTHENTICATED = 1_024;

/** The caps a listener applies when told nothing else, for a process allowed `fdLimit` open files. */
export function defaultConnectionLimits(fdLimit: number = openFileLimit()): ConnectionLimits {
  const reserved = Math.max(MIN_RESERVED_FDS, Math.ceil(fdLimit / 4));
  const maxConnections = Math.min(MAX_DEFAULT_CONNECTIONS, Math.max(1, fdLimit - reserved, Math.floor(fdLimit / 2)));
  return derive({ maxConnections });
}

/** Fills in what `limits` leaves out (from the descriptor limit, or from the caps it gives) and checks it. */
export function resolveConnectionLimits(limits: Partial<ConnectionLimits> = {}, fdLimit?: number): ConnectionLimits {
  const maxConnections = limits.maxConnections ?? defaultConnectionLimits(fdLimit).maxConnections;
  const resolved = derive({ ...limits, maxConnections });
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new BotzError(ErrorCode.INVALID_ARGUMENT, `connection limit ${key} must be a whole number ≥ 1`, { details: { [key]: value } });
    }
  }
  return resolved;
}

/** Unauthenticated caps follow the total: at most half the slots for strangers, half of that for one source. */
function derive(limits: Partial<ConnectionLimits> & { maxConnections: number }): ConnectionLimits {
  const maxUnauthenticated = limits.maxUnauthenticated ?? Math.max(1, Math.min(MAX_DEFAULT_UNAUTHENTICATED, Math.floor(limits.maxConnections / 2)));
  return {
    maxConnections: limits.maxConnections,
    maxUnauthenticated,
    maxUnauthenticatedPerSource: limits.maxUnauthenticatedPerSource ?? Math.max(1, Math.floor(maxUnauthenticated / 2)),
    handshakeTimeoutMs: limits.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    maxUnauthenticatedMessageBytes: limits.maxUnauthenticatedMessageBytes ?? DEFAULT_MAX_UNAUTHENTICATED_MESSAGE_BYTES,
  };
}

let cachedFdLimit: number | undefined;

/** The soft limit on open files of this process (Linux: /proc/self/limits), else FALLBACK_FD_LIMIT. */
export function openFileLimit(): number {
  if (cachedFdLimit === undefined) {
    let text = '';
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      // Not Linux (or no /proc): the fallback.
    }
    cachedFdLimit = parseOpenFileLimit(text);
  }
  return cachedFdLimit;
}

/** The soft `Max open files` of a /proc/PID/limits text; FALLBACK_FD_LIMIT if absent or unparsable. */
export function parseOpenFileLimit(procLimits: string): number {
  const m = /^Max open files\s+(\S+)/m.exec(procLimits);
  if (!m) return FALLBACK_FD_LIMIT;
  if (m[1] === 'unlimited') return Number.MAX_SAFE_INTEGER;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : FALLBACK_FD_LIMIT;
}
