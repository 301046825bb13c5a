/**
 * Cancelling a call with an AbortSignal (`{ signal }` in a call's options). A cancelled call
 * rejects with CANCELLED as soon as the signal fires, and nothing is left waiting for its
 * answer. What was already sent stays sent: a request may still reach its handler, as with a
 * timeout.
 */
import { Cancelled } from './errors.js';

/** Throws CANCELLED when `signal` has already fired: nothing should be sent for this call. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new Cancelled(`${what} was cancelled`);
}

/**
 * Runs `start()`, and settles with its outcome or with CANCELLED as soon as `signal` fires,
 * whichever comes first. A signal that already fired does not start the work at all.
 */
export function cancellable<T>(start: () => Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return start();
  if (signal.aborted) return Promise.reject(new Cancelled(`${what} was cancelled`));
  const work = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      // The abandoned work may still fail later; nobody is listening any more.
      work.catch(() => {});
      reject(new Cancelled(`${what} was cancelled`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
