import type { XnatExperimentContents } from '../../../../shared/commands/xnatDownload';

/** What the chosen experiment holds: its scans and assessors with their resource types. */
export function ExperimentContents({ contents }: { contents: XnatExperimentContents }) {
  const { experiment, scans, assessors } = contents;
  return (
    <section className="xd-contents" aria-label={`Contents of ${experiment.label}`}>
      <h2 className="xd-heading">
        {experiment.label}
        <span className="muted">
          {' '}
          subject {experiment.subject}
          {experiment.date ? `, ${experiment.date}` : ''}, {experiment.xsiType.replace(/^xnat:/, '')}
        </span>
      </h2>
      {scans.length === 0 ? (
        <p className="muted">No scans.</p>
      ) : (
        <table className="xd-table" aria-label="Scans">
          <thead>
            <tr>
              <th scope="col">Scan</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
              <th scope="col">Resources</th>
            </tr>
          </thead>
          <tbody>
            {scans.map((s) => (
              <tr key={s.id}>
                <td>{s.id}</td>
                <td>{s.type}</td>
                <td>{s.description}</td>
                <td>{s.resources.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {assessors.length > 0 && (
        <table className="xd-table" aria-label="Assessors">
          <thead>
            <tr>
              <th scope="col">Assessor</th>
              <th scope="col">Type</th>
              <th scope="col">Resources</th>
            </tr>
          </thead>
          <tbody>
            {assessors.map((a) => (
              <tr key={a.id || a.label}>
                <td>{a.label}</td>
                <td>{a.xsiType.replace(/^xnat:/, '')}</td>
                <td>{a.resources.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
