import { useCallback, useEffect, useState } from 'react';
import type { ScanStatus } from '../../../../shared/commands/xnatUpload';
import type { BatchSummary } from '../../../../shared/domain';
import { useApi, useEngineEvent } from '../../api';

/** A DICOM folder going to XNAT: scanned first, reviewed, then uploaded. */
export function isUploadBatch(batch: Pick<BatchSummary, 'source' | 'target'>): boolean {
  return batch.source.kind === 'dicom-folder' && batch.target.kind === 'xnat';
}

/**
 * The scan of a DICOM folder → XNAT batch, kept current: asked once (and again when the batch changes),
 * then, while it scans, one question at a time that the engine answers once the scan moved on.
 */
export function useScanStatus(
  batchId: number,
  enabled: boolean,
): { status: ScanStatus | null; error: string | null; setStatus(s: ScanStatus): void } {
  const api = useApi();
  const [status, setStatus] = useState<ScanStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [asked, setAsked] = useState(0);
  const askAgain = useCallback(() => setAsked((n) => n + 1), []);

  useEffect(() => {
    if (!enabled) return;
    let current = true;
    api.call('xnatUpload.scanStatus', { batchId, waitMs: 0 }).then(
      (s) => {
        if (!current) return;
        setStatus(s);
        setError(null);
      },
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [api, batchId, enabled, asked]);

  useEffect(() => {
    if (!enabled || status?.state !== 'scanning') return;
    let current = true;
    api.call('xnatUpload.scanStatus', { batchId, waitMs: 2_000 }).then(
      (s) => current && setStatus(s),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [api, batchId, enabled, status]);

  useEngineEvent('batch.changed', (p) => {
    if (enabled && p.batchId === batchId) askAgain();
  });
  useEngineEvent('batches.changed', () => {
    if (enabled) askAgain();
  });
  return { status: enabled ? status : null, error, setStatus };
}
