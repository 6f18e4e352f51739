/**
 * Waits for a condition that another process or server makes true (one that sends no event to wait
 * on); checks every few milliseconds and returns as soon as it holds: true, or false once `timeoutMs` passed.
 */
export async function pollUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
