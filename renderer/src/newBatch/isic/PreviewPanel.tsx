import type { IsicPreview } from '../../../../shared/commands/isic';
import { formatBytes } from '../../format';

/** Counts and sizes of a search before anything is downloaded, and thumbnails of its first results. */
export function PreviewPanel({ preview }: { preview: IsicPreview }) {
  const size = `${preview.wantedBytesEstimated ? 'about ' : ''}${formatBytes(preview.wantedBytes)}`;
  return (
    <section className="isic-preview" aria-label="Search results">
      <p role="status" className="isic-totals">
        <strong>{preview.count.toLocaleString('en')}</strong> matching image{preview.count === 1 ? '' : 's'} (
        {formatBytes(preview.totalBytes)}); the batch lists{' '}
        <strong>{preview.wanted.toLocaleString('en')}</strong> ({size}).
      </p>
      {preview.thumbnails.length > 0 && (
        <ul className="isic-thumbs" aria-label="First results">
          {preview.thumbnails.map((t) => (
            <li key={t.isicId}>
              <figure>
                {t.dataUrl ? (
                  <img src={t.dataUrl} alt={`${t.isicId}${t.diagnosis ? `, ${t.diagnosis}` : ''}`} />
                ) : (
                  <div className="isic-thumb-missing">No thumbnail</div>
                )}
                <figcaption>
                  <strong>{t.isicId}</strong>
                  <span>{t.diagnosis || '—'}</span>
                  <span className="muted isic-attribution" title={t.attribution}>
                    {t.license} · {t.attribution}
                  </span>
                </figcaption>
              </figure>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
