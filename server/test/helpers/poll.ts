/**
 * The one polling helper of the server suites: wait until something observable has happened
 * (a client synced, storage holds a row, /readyz turned 503) instead of sleeping for a guessed
 * time. Bounded: it throws, naming what it waited for, once the timeout has passed.
 */

/** Polls `condition` (sync or async) every `intervalMs` until it returns true; rejects after
 * `timeoutMs` with `what` in the message. A condition that throws fails the wait at once. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
