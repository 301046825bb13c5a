/**
 * A grant: what the issuer (the server's identity key) says about one credential. Its name, the
 * Ed25519 public key that proves it, when it expires, and what it may do. It travels as a token
 * `base64url(payload) "." base64url(signature)`, where the payload is the grant as UTF-8 JSON and
 * the signature is Ed25519 (RFC 8032) by the issuer over the 14 ASCII bytes "botz grant v1",
 * a zero byte, then the payload bytes. The signature covers the exact bytes, so nothing is
 * canonicalised (as JWS does it); the label keeps a grant signature from meaning anything else.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import { ed25519Sign, ed25519Verify } from './keys.js';

export const GRANT_LABEL = 'botz grant v1';

/**
 * What a credential may do. Name patterns are names where `*` stands for any run of characters
 * (`worker-*`, `*`). An empty list allows nothing.
 */
export interface Permissions {
  /** Register its own name (no other name, ever). */
  register: boolean;
  /** Names it may send requests, one-way and reliable messages to. */
  send: string[];
  /** Names it may send broadcast copies to. */
  broadcast: string[];
  /** Names it may ask to shut down. */
  shutdown: string[];
  /** Names whose traffic it may tail (`*`: a tail of all traffic). */
  tail: string[];
  /** Its tails may carry message bodies. */
  tailBodies: boolean;
  /** Look names up, list the components, follow membership events. */
  list: boolean;
}

export interface Grant {
  v: 1;
  /** Random id: what `botz creds revoke` names. */
  id: string;
  /** The component name the credential is for. */
  name: string;
  /** The credential's Ed25519 public key, 32 bytes base64url. */
  key: string;
  issuedAt: number;
  /** ms since the epoch, or null: never. */
  expiresAt: number | null;
  permissions: Permissions;
}

/** Everything allowed: what a credential issued without restrictions may do. */
export const ALL_PERMISSIONS: Permissions = { register: true, send: ['*'], broadcast: ['*'], shutdown: ['*'], tail: ['*'], tailBodies: true, list: true };

export function newGrantId(): string {
  return randomBytes(9).toString('base64url');
}

function labelled(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(GRANT_LABEL, 'ascii'), Buffer.from([0]), payload]);
}

/** Signs a grant with the issuer's private key: the token. */
export function signGrant(grant: Grant, issuer: KeyObject): string {
  const payload = Buffer.from(JSON.stringify(grant), 'utf8');
  return `${payload.toString('base64url')}.${ed25519Sign(issuer, labelled(payload)).toString('base64url')}`;
}

const bad = (why: string): BotzError => new BotzError(ErrorCode.CREDENTIAL_REJECTED, `credential refused: ${why}`);

/** Reads a token and checks the issuer's signature and the grant's shape. Throws CREDENTIAL_REJECTED. */
export function verifyGrant(token: string, issuer: KeyObject): Grant {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 8192) throw bad('not a grant token');
  const payload = Buffer.from(token.slice(0, dot), 'base64url');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  if (!ed25519Verify(issuer, labelled(payload), signature)) throw bad('the issuer signature does not verify (another server issued it, or it was altered)');
  let grant: unknown;
  try {
    grant = JSON.parse(payload.toString('utf8'));
  } catch {
    throw bad('the grant is not JSON');
  }
  if (!isGrant(grant)) throw bad('the grant lacks a field');
  return grant;
}

const strings = (x: unknown): boolean => Array.isArray(x) && x.every((s) => typeof s === 'string');

function isGrant(g: unknown): g is Grant {
  if (typeof g !== 'object' || g === null) return false;
  const o = g as Record<string, unknown>;
  const p = o.permissions as Record<string, unknown> | undefined;
  return (
    o.v === 1 &&
    typeof o.id === 'string' &&
    typeof o.name === 'string' &&
    typeof o.key === 'string' &&
    typeof o.issuedAt === 'number' &&
    (o.expiresAt === null || typeof o.expiresAt === 'number') &&
    typeof p === 'object' &&
    p !== null &&
    typeof p.register === 'boolean' &&
    typeof p.tailBodies === 'boolean' &&
    typeof p.list === 'boolean' &&
    ['send', 'broadcast', 'shutdown', 'tail'].every((k) => strings(p[k]))
  );
}

/** Compiled patterns: a relay checks a grant's patterns on every frame. Bounded: cleared when full. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 4096;

/** True when `name` matches `pattern` (`*` is any run of characters, everything else literal). */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(name);
}

export function allows(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => matchesPattern(p, name));
}

/**
 * The wire names a credential for `name` may use: the name itself (a component, or a client),
 * or `name.` and a suffix (a client: several CLI calls with one credential at once). Only the
 * name itself may be registered.
 */
export function mayUseWireName(grant: Pick<Grant, 'name'>, wireName: string): boolean {
  return wireName === grant.name || wireName.startsWith(grant.name + '.');
}
