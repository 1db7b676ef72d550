/** Small helpers shared by the durability tests. */

/** The /readyz status code. */
export async function readyStatus(httpUrl: string): Promise<number> {
  const res = await fetch(`${httpUrl}/readyz`);
  await res.arrayBuffer();
  return res.status;
}
