/** The outcome of a Test button (a connection, a browser): the pending text, then the answer in colour. */
export function TestOutcome({
  result,
  pending,
}: {
  result: { ok: boolean; message: string } | 'testing';
  pending: string;
}) {
  return (
    <div
      role="status"
      className={result === 'testing' ? 'muted' : result.ok ? 'test-result ok' : 'test-result failed'}
    >
      {result === 'testing' ? pending : result.message}
    </div>
  );
}
