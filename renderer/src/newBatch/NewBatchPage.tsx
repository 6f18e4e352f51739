import { hrefOf } from '../route';
import { FLOWS } from './flows';

/** `#/new`: the kinds of batch; `#/new/<flow>`: that kind's form. */
export function NewBatchPage({ flow }: { flow?: string }) {
  const chosen = flow === undefined ? undefined : FLOWS.find((f) => f.id === flow);
  if (chosen) {
    return (
      <section aria-labelledby="new-batch-title" className="page">
        <header className="page-head">
          <div>
            <a href={hrefOf({ page: 'new' })} className="crumb">
              ← New batch
            </a>
            <h1 id="new-batch-title">{chosen.title}</h1>
            <p className="muted">{chosen.summary}</p>
          </div>
        </header>
        <chosen.Component />
      </section>
    );
  }
  return (
    <section aria-labelledby="new-batch-title" className="page">
      <header className="page-head">
        <h1 id="new-batch-title">New batch</h1>
      </header>
      {flow !== undefined && (
        <div role="alert" className="banner banner-error">
          There is no kind of batch called “{flow}”. Choose one below.
        </div>
      )}
      <ul className="flow-list" aria-label="Kinds of batch">
        {FLOWS.map((f) => (
          <li key={f.id}>
            <a className="flow-card" href={hrefOf({ page: 'new', flow: f.id })}>
              <span className="flow-title">{f.title}</span>
              <span className="muted">{f.summary}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
