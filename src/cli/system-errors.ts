/**
 * Node's system errors (EISDIR, ENOENT, EADDRNOTAVAIL, ENOTFOUND...) as sentences. A user who
 * typed a wrong path or host should read what is wrong with it, not the name of a C constant.
 * Pure: no fs, no net.
 */

/** What a file error means for the file, e.g. "is a directory". */
const FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist (no such file)',
  EISDIR: 'is a directory, not a file',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (operation not permitted)',
  ENOTDIR: 'does not exist (a part of its path is not a directory)',
  ELOOP: 'cannot be read (too many symbolic links)',
  EMFILE: 'cannot be opened now (too many open files)',
};

/** "is a directory, not a file" for a failed read of a file; the error's own message for anything else. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined && FILE_PROBLEMS[code]) || `cannot be read (${(error as Error | undefined)?.message ?? String(error)})`;
}

/**
 * A sentence for a system error that reached the top (a listener that cannot bind, a host that
 * does not resolve), or undefined when `error` is not one we know.
 */
export function systemErrorSentence(error: { code?: unknown; address?: unknown; hostname?: unknown; port?: unknown; syscall?: unknown }): string | undefined {
  switch (error.code) {
    case 'EADDRNOTAVAIL':
      return `${String(error.address ?? 'that address')} is not an address of this machine; listen on one it has (127.0.0.1 for this machine only, 0.0.0.0 for all)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${String(error.hostname ?? '')} not found (no such host in DNS or /etc/hosts); check the name, or give an IP address`;
    case 'EACCES':
      if (error.syscall === 'listen') return `not allowed to listen on port ${String(error.port ?? '')} (ports below 1024 need privileges); choose a port above 1024`;
      return undefined;
    default:
      return undefined;
  }
}
