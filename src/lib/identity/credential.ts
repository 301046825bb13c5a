/**
 * What a component holds to prove who it is: its name, its Ed25519 key pair, the issuer's grant
 * for that key, and the issuer's public key (to know the server it talks to is the one that
 * issued it). And what a server holds to judge such proofs: the issuer key and a way to ask
 * whether a grant was revoked. No sockets, no files here (the store and the CLI read files).
 */
import type { KeyObject } from 'node:crypto';
import { BotzError, ErrorCode } from '../errors.js';
import { verifyGrant, type Grant } from './grant.js';
import { ed25519Private, ed25519Public, rawPublic } from './keys.js';

/** A component's credential, loaded. */
export interface Credential {
  name: string;
  /** The grant token, as it travels in the hello. */
  token: string;
  grant: Grant;
  privateKey: KeyObject;
  /** The issuer's public key: only a server holding its private key can welcome us. */
  issuer: KeyObject;
}

/** A credential file's contents (JSON, mode 0600). */
export interface CredentialFile {
  botzCredential: 1;
  name: string;
  grant: string;
  /** Ed25519 private key (the 32-byte seed), base64url. */
  privateKey: string;
  /** The issuer's Ed25519 public key, base64url. */
  issuer: string;
}

/** Reads a credential file's JSON; checks that the grant is the issuer's and names this key. Throws CREDENTIAL_REJECTED. */
export function loadCredential(file: CredentialFile): Credential {
  if (file?.botzCredential !== 1 || typeof file.grant !== 'string' || typeof file.privateKey !== 'string' || typeof file.issuer !== 'string') {
    throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, 'not a botz credential file');
  }
  const issuer = ed25519Public(Buffer.from(file.issuer, 'base64url'));
  const grant = verifyGrant(file.grant, issuer);
  const { privateKey, publicKey } = ed25519Private(Buffer.from(file.privateKey, 'base64url'));
  if (rawPublic(publicKey).toString('base64url') !== grant.key) throw new BotzError(ErrorCode.CREDENTIAL_REJECTED, 'the credential file holds another key than its grant names');
  return { name: grant.name, token: file.grant, grant, privateKey, issuer };
}

/** What a server judges credential hellos with. */
export interface Authority {
  /** The issuer key: it signs the server's welcomes (and the grants, at `botz creds issue`). */
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** True when the grant with this id was revoked. */
  isRevoked(id: string): boolean;
  /**
   * True when `name` (a wire name) belongs to a credential that is still valid (other than
   * those for `exceptName`), so that a shared-secret node, or another credential, may not take it.
   */
  isReserved(name: string, exceptName?: string): boolean;
  /** Refuse shared-secret nodes altogether (only credential links are admitted). */
  requireCredentials: boolean;
  /** Reads the revocations again if they changed (a server calls it before each check of its live links). */
  refresh?(): void;
  /** The ids of revoked grants that have not expired, oldest revocation first (what a server tells its credential links). */
  revokedIds?(): string[];
}

/** The identity of a node: a credential (it dials as it), an authority (it judges them), or neither. */
export interface NodeIdentity {
  credential?: Credential;
  authority?: Authority;
}

/** Why a grant is no good now, or undefined: revoked, expired. */
export function grantProblem(grant: Grant, authority: Pick<Authority, 'isRevoked'>, now: number): string | undefined {
  if (authority.isRevoked(grant.id)) return `the credential ${grant.id} for "${grant.name}" was revoked`;
  if (grant.expiresAt !== null && now >= grant.expiresAt) return `the credential ${grant.id} for "${grant.name}" expired at ${new Date(grant.expiresAt).toISOString()}`;
  return undefined;
}
