/** Small helpers shared by the durability tests. */

/** Polls an async condition (every 20 ms) until it holds or the timeout passes. */
export async function eventually(
  condition: () => Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The /readyz status code. */
export async function readyStatus(httpUrl: string): Promise<number> {
  const res = await fetch(`${httpUrl}/readyz`);
  await res.arrayBuffer();
  return res.status;
}
