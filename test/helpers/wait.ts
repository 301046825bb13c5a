/**
 * Waiting on a condition in tests that have no event to wait on: poll it every few
 * milliseconds, and fail saying what never happened once `timeoutMs` passed.
 */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
