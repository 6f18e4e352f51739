import { useEffect, useRef, useState } from 'react';
import type { UploadProgressBars } from '../../../../shared/commands/xnatUpload';
import type { BatchSummary } from '../../../../shared/domain';
import { useApi, useEngineEvent } from '../../api';
import './xnatUpload.css';

function Bar({
  label,
  value,
  max,
  problems = 0,
}: {
  label: string;
  value: number;
  max: number;
  problems?: number;
}) {
  const pct = (n: number) => (max > 0 ? (n / max) * 100 : 0);
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      aria-valuetext={`${value.toLocaleString()} of ${max.toLocaleString()}${problems ? `, ${problems.toLocaleString()} with problems` : ''}`}
    >
      <span className="progress-settled" style={{ width: `${pct(value)}%` }} />
      <span className="progress-problems" style={{ width: `${pct(problems)}%` }} />
    </div>
  );
}

/**
 * xnatuploader's two bars for a DICOM folder → XNAT batch: datasets sent, and the files of the dataset
 * being sent. Follows the batch's change events, one question to the engine at a time.
 */
export function UploadProgress({ batch }: { batch: BatchSummary }) {
  const api = useApi();
  const [bars, setBars] = useState<UploadProgressBars | null>(null);
  const asking = useRef(false);
  const again = useRef(false);
  const applies = batch.source.kind === 'dicom-folder' && batch.target.kind === 'xnat';
  const ask = () => {
    if (!applies) return;
    if (asking.current) {
      again.current = true;
      return;
    }
    asking.current = true;
    api
      .call('xnatUpload.progress', { batchId: batch.id })
      .then(setBars, () => undefined)
      .finally(() => {
        asking.current = false;
        if (again.current) {
          again.current = false;
          ask();
        }
      });
  };
  useEffect(ask, [batch.id, applies]);
  useEngineEvent('batch.changed', (p) => {
    if (p.batchId === batch.id) ask();
  });
  if (!applies || !bars) return null;
  const current = bars.current;
  return (
    <div className="xu-bars" aria-label="Upload progress" role="group">
      <div className="xu-bar-line">
        <span className="xu-bar-name">Datasets</span>
        <Bar label="Datasets sent" value={bars.datasets.settled} max={bars.datasets.total} />
        <span className="muted small">
          {bars.datasets.settled.toLocaleString()} of {bars.datasets.total.toLocaleString()}
        </span>
      </div>
      <div className="xu-bar-line">
        <span className="xu-bar-name">{current ? current.label : 'Current dataset'}</span>
        <Bar
          label="Files of the current dataset"
          value={current?.settled ?? 0}
          max={current?.total ?? 0}
          problems={current?.problems ?? 0}
        />
        <span className="muted small">
          {current ? `${current.settled.toLocaleString()} of ${current.total.toLocaleString()} files` : '—'}
        </span>
      </div>
    </div>
  );
}
