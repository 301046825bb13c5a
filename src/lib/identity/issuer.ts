/**
 * The issuer: the server's Ed25519 key that signs grants (and its welcomes), the grants it
 * issued and those it revoked. `Issuer` keeps them in memory; store.ts keeps them in files for
 * `botz creds` and `botz serve`. Either is an Authority a server judges credentials with.
 */
import { BotzError, ErrorCode } from '../errors.js';
import { validateName } from '../registry/registry.js';
import type { Authority, CredentialFile } from './credential.js';
import { mayUseWireName, newGrantId, signGrant, type Grant, type Permissions } from './grant.js';
import { ed25519Private, newEd25519, rawPrivate, rawPublic, type KeyPair } from './keys.js';

export interface IssueOptions {
  name: string;
  permissions: Permissions;
  /** ms since the epoch, or null: never expires. */
  expiresAt: number | null;
  now: number;
}

/** Issues one credential: a fresh key pair for `name` and the issuer's grant for it. */
export function issueCredential(issuer: KeyPair, o: IssueOptions): { grant: Grant; file: CredentialFile } {
  validateName(o.name);
  if (o.expiresAt !== null && o.expiresAt <= o.now) throw new BotzError(ErrorCode.INVALID_ARGUMENT, 'a credential must expire in the future');
  const own = newEd25519();
  const grant: Grant = { v: 1, id: newGrantId(), name: o.name, key: rawPublic(own.publicKey).toString('base64url'), issuedAt: o.now, expiresAt: o.expiresAt, permissions: o.permissions };
  const file: CredentialFile = {
    botzCredential: 1,
    name: o.name,
    grant: signGrant(grant, issuer.privateKey),
    privateKey: rawPrivate(own.privateKey).toString('base64url'),
    issuer: rawPublic(issuer.publicKey).toString('base64url'),
  };
  return { grant, file };
}

/** Of the revoked ids (oldest first), those whose grant has not expired: an expired grant is refused anyway. */
export function unexpiredRevocations(ids: string[], grants: ReadonlyMap<string, Grant>, now: number): string[] {
  return ids.filter((id) => {
    const grant = grants.get(id);
    return grant === undefined || grant.expiresAt === null || grant.expiresAt > now;
  });
}

/** An issuer held in memory (tests, embedded servers): issue, revoke, and judge. */
export class Issuer implements Authority {
  readonly privateKey;
  readonly publicKey;
  readonly grants = new Map<string, Grant>();
  readonly revoked = new Set<string>();

  constructor(
    key: KeyPair = newEd25519(),
    public requireCredentials = false,
    private readonly now: () => number = Date.now,
  ) {
    this.privateKey = key.privateKey;
    this.publicKey = key.publicKey;
  }

  static fromSeed(seed: Uint8Array, requireCredentials = false): Issuer {
    return new Issuer(ed25519Private(seed), requireCredentials);
  }

  get seed(): Buffer {
    return rawPrivate(this.privateKey);
  }

  issue(name: string, permissions: Permissions, expiresAt: number | null = null): { grant: Grant; file: CredentialFile } {
    const issued = issueCredential({ privateKey: this.privateKey, publicKey: this.publicKey }, { name, permissions, expiresAt, now: this.now() });
    this.grants.set(issued.grant.id, issued.grant);
    return issued;
  }

  revoke(id: string): void {
    this.revoked.add(id);
  }

  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  revokedIds(): string[] {
    return unexpiredRevocations([...this.revoked], this.grants, this.now());
  }

  isReserved(name: string, exceptName?: string): boolean {
    const now = this.now();
    for (const g of this.grants.values()) {
      if (g.name !== exceptName && !this.revoked.has(g.id) && (g.expiresAt === null || g.expiresAt > now) && mayUseWireName(g, name)) return true;
    }
    return false;
  }
}
