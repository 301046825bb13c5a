/**
 * The issuer in files, for `botz creds` and `botz serve --credentials`: a directory (mode 0700)
 * holding the issuer key (`issuer.json`, 0600), the grants issued (`grants.json`) and the ids
 * revoked (`revoked.json`). Every write goes to a temporary file renamed into place, so a
 * server reading at the same moment sees the old file or the new one, never half of one. The
 * server calls `refresh()` before each check of its live links: a stat per file, and a read
 * only when one changed (a rename makes a new inode), which is how `botz creds revoke` reaches
 * a running server within one check interval, with no signal and no restart.
 */
import { chmodSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { BotzError, ErrorCode } from '../errors.js';
import type { Authority, CredentialFile } from './credential.js';
import { mayUseWireName, type Grant, type Permissions } from './grant.js';
import { issueCredential, unexpiredRevocations } from './issuer.js';
import { ed25519Private, newEd25519, rawPrivate } from './keys.js';

interface IssuerFile {
  botzIssuer: 1;
  /** The Ed25519 private key (32-byte seed), base64url. */
  privateKey: string;
}

export interface Revocation {
  id: string;
  at: number;
}

function readJson<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new BotzError(ErrorCode.INVALID_ARGUMENT, `cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Writes `value` as JSON to `path` through a temporary file and a rename, with `mode`. */
export function writeJsonAtomic(path: string, value: unknown, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** A file's identity now: a rename gives a new inode, so any rewrite changes it. */
function version(path: string): string {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return 'none';
  }
}

export class IssuerStore implements Authority {
  readonly privateKey;
  readonly publicKey;
  private grants: Grant[] = [];
  private revoked = new Map<string, number>();
  private seen = '';

  private constructor(
    readonly dir: string,
    key: ReturnType<typeof newEd25519>,
    public requireCredentials: boolean,
    private readonly now: () => number,
  ) {
    this.privateKey = key.privateKey;
    this.publicKey = key.publicKey;
    this.refresh();
  }

  /** Opens the store in `dir`, creating the directory and the issuer key the first time. */
  static open(dir: string, options: { requireCredentials?: boolean; now?: () => number } = {}): IssuerStore {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'issuer.json');
    let file = readJson<IssuerFile | undefined>(path, undefined);
    if (!file) {
      const fresh: IssuerFile = { botzIssuer: 1, privateKey: rawPrivate(newEd25519().privateKey).toString('base64url') };
      try {
        // `wx`: two processes creating the store at once agree on one key.
        const fd = openSync(path, 'wx', 0o600);
        writeFileSync(fd, JSON.stringify(fresh, null, 2) + '\n');
        closeSync(fd);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      file = readJson<IssuerFile>(path, fresh);
    }
    if (file.botzIssuer !== 1 || typeof file.privateKey !== 'string') throw new BotzError(ErrorCode.INVALID_ARGUMENT, `${path} is not a botz issuer key`);
    const key = ed25519Private(Buffer.from(file.privateKey, 'base64url'));
    return new IssuerStore(dir, key, options.requireCredentials ?? false, options.now ?? Date.now);
  }

  private get grantsPath(): string {
    return join(this.dir, 'grants.json');
  }

  private get revokedPath(): string {
    return join(this.dir, 'revoked.json');
  }

  refresh(): void {
    const now = `${version(this.grantsPath)}|${version(this.revokedPath)}`;
    if (now === this.seen) return;
    this.seen = now;
    this.grants = readJson<Grant[]>(this.grantsPath, []);
    this.revoked = new Map(readJson<Revocation[]>(this.revokedPath, []).map((r) => [r.id, r.at]));
  }

  /** Issues a credential for `name` and records its grant; the caller writes the file it returns. */
  issue(name: string, permissions: Permissions, expiresAt: number | null): { grant: Grant; file: CredentialFile } {
    this.refresh();
    const issued = issueCredential({ privateKey: this.privateKey, publicKey: this.publicKey }, { name, permissions, expiresAt, now: this.now() });
    writeJsonAtomic(this.grantsPath, [...this.grants, issued.grant], 0o644);
    this.refresh();
    return issued;
  }

  /** Every grant issued, with whether it was revoked (and when). */
  list(): (Grant & { revokedAt: number | null })[] {
    this.refresh();
    return this.grants.map((g) => ({ ...g, revokedAt: this.revoked.get(g.id) ?? null }));
  }

  /**
   * Revokes by grant id, or every grant of a name. Returns the ids revoked now; throws
   * INVALID_ARGUMENT when nothing matches.
   */
  revoke(idOrName: string): string[] {
    this.refresh();
    const matching = this.grants.filter((g) => g.id === idOrName || g.name === idOrName).filter((g) => !this.revoked.has(g.id));
    if (matching.length === 0) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `no unrevoked credential has the id or name "${idOrName}"`);
    const at = this.now();
    const all: Revocation[] = [...[...this.revoked].map(([id, when]) => ({ id, at: when })), ...matching.map((g) => ({ id: g.id, at }))];
    writeJsonAtomic(this.revokedPath, all, 0o644);
    this.refresh();
    return matching.map((g) => g.id);
  }

  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  revokedIds(): string[] {
    const byAt = [...this.revoked].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    return unexpiredRevocations(byAt, new Map(this.grants.map((g) => [g.id, g])), this.now());
  }

  isReserved(name: string, exceptName?: string): boolean {
    const now = this.now();
    return this.grants.some((g) => g.name !== exceptName && !this.revoked.has(g.id) && (g.expiresAt === null || g.expiresAt > now) && mayUseWireName(g, name));
  }
}
