import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { Connection } from '../../../../shared/commands/connections';
import type {
  XnatExperimentChoice,
  XnatExperimentContents,
  XnatExperimentList,
  XnatProjectChoice,
} from '../../../../shared/commands/xnatDownload';
import { useApi } from '../../api';
import { ConnectionPicker } from '../../components/ConnectionPicker';
import { Field, TextField } from '../../components/Field';
import { useCreateBatch } from '../useCreateBatch';
import { ExperimentContents } from './ExperimentContents';
import './xnatDownload.css';

const PAGE = 25;
const CUSTOM = '__custom__';

/** A value loaded from the engine: absent, loading, loaded, or the engine's message. */
type Loaded<T> =
  { state: 'idle' } | { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; error: string };

function projectLabel(p: XnatProjectChoice): string {
  const extra = [p.name, p.secondaryId && p.secondaryId !== p.id ? `secondary ID ${p.secondaryId}` : '']
    .filter(Boolean)
    .join(', ');
  return extra ? `${p.id} — ${extra}` : p.id;
}

/** "Download from XNAT": one experiment's scans or assessors, one resource type, into a folder. */
function XnatDownloadForm() {
  const api = useApi();
  const [connection, setConnection] = useState<Connection | null>(null);
  const [projects, setProjects] = useState<Loaded<XnatProjectChoice[]>>({ state: 'idle' });
  const [project, setProject] = useState('');
  const [search, setSearch] = useState('');
  const [limit, setLimit] = useState(PAGE);
  const [experiments, setExperiments] = useState<Loaded<XnatExperimentList>>({ state: 'idle' });
  const [experiment, setExperiment] = useState<XnatExperimentChoice | null>(null);
  const [contents, setContents] = useState<Loaded<XnatExperimentContents>>({ state: 'idle' });
  const [type, setType] = useState<'scan' | 'assessor'>('scan');
  const [resource, setResource] = useState('DICOM');
  const [customResource, setCustomResource] = useState('');
  const [out, setOut] = useState('');
  const [name, setName] = useState('');
  const [start, setStart] = useState(true);
  const { create, busy, error } = useCreateBatch();

  useEffect(() => {
    setProjects({ state: connection ? 'loading' : 'idle' });
    setProject('');
    if (!connection) return;
    let live = true;
    api.call('xnatDownload.projects', { connectionId: connection.id }).then(
      (value) => {
        if (!live) return;
        setProjects({ state: 'ok', value });
        if (value.length === 1) setProject(value[0]!.id);
      },
      (e: Error) => live && setProjects({ state: 'error', error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [api, connection]);

  const findExperiments = (wanted: number) => {
    if (!connection || !project) return;
    setLimit(wanted);
    setExperiments({ state: 'loading' });
    api
      .call('xnatDownload.experiments', { connectionId: connection.id, project, search, limit: wanted })
      .then(
        (value) => setExperiments({ state: 'ok', value }),
        (e: Error) => setExperiments({ state: 'error', error: e.message }),
      );
  };

  // A new project forgets the experiments of the last one and lists its own.
  useEffect(() => {
    setExperiment(null);
    setExperiments({ state: 'idle' });
    if (project) findExperiments(PAGE);
    // findExperiments reads the current search; listing again on every keystroke is not wanted.
  }, [project]);

  useEffect(() => {
    setContents({ state: experiment ? 'loading' : 'idle' });
    if (!connection || !experiment) return;
    let live = true;
    api
      .call('xnatDownload.scans', { connectionId: connection.id, project, experiment: experiment.label })
      .then(
        (value) => {
          if (!live) return;
          setContents({ state: 'ok', value });
          const kind = value.scans.length === 0 && value.assessors.length > 0 ? 'assessor' : 'scan';
          setType(kind);
          const labels = value.resources[kind].map((r) => r.label);
          setResource(labels.includes('DICOM') ? 'DICOM' : (labels[0] ?? 'ALL'));
        },
        (e: Error) => live && setContents({ state: 'error', error: e.message }),
      );
    return () => {
      live = false;
    };
  }, [api, connection, project, experiment]);

  const resourceValue = resource === CUSTOM ? customResource.trim() : resource;
  const ready = Boolean(connection && project && experiment && resourceValue && out.trim());
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!connection || !experiment || !ready) return;
    void create({
      name: name.trim() || `xnat-${experiment.label}`,
      source: {
        kind: 'xnat-download',
        config: {
          server: connection.url,
          project,
          accession: experiment.label,
          type,
          resource: resourceValue,
        },
      },
      target: { kind: 'folder', config: { dir: out.trim() } },
      start,
    });
  };

  const choices = contents.state === 'ok' ? contents.value.resources[type] : [];
  return (
    <form className="form form-wide xnat-download" onSubmit={submit} aria-label="Download from XNAT">
      <ConnectionPicker kind="xnat" value={connection} onChange={setConnection} />

      <Field
        label="Project"
        error={projects.state === 'error' ? projects.error : null}
        hint={
          projects.state === 'loading'
            ? `Signing in to ${connection?.url ?? 'XNAT'} and listing projects…`
            : projects.state === 'ok'
              ? `${projects.value.length} project${projects.value.length === 1 ? '' : 's'} this account can read.`
              : projects.state === 'idle'
                ? 'Choose a connection first.'
                : undefined
        }
      >
        {(props) => (
          <select
            {...props}
            className="input"
            value={project}
            disabled={projects.state !== 'ok'}
            onChange={(e) => setProject(e.target.value)}
          >
            <option value="">{projects.state === 'loading' ? 'Loading…' : 'Choose a project…'}</option>
            {projects.state === 'ok' &&
              projects.value.map((p) => (
                <option key={p.id} value={p.id}>
                  {projectLabel(p)}
                </option>
              ))}
          </select>
        )}
      </Field>

      <fieldset className="xd-fieldset" disabled={!project}>
        <legend>Experiment (accession number)</legend>
        <div className="xd-search">
          <Field
            label="Label contains"
            hint="Case does not matter; * stands for any characters. Empty lists all."
          >
            {(props) => (
              <input
                {...props}
                className="input"
                type="search"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    findExperiments(PAGE);
                  }
                }}
              />
            )}
          </Field>
          <button type="button" className="button" onClick={() => findExperiments(PAGE)}>
            Find experiments
          </button>
        </div>
        {experiments.state === 'loading' && (
          <p className="muted">Asking XNAT for the project’s experiments…</p>
        )}
        {experiments.state === 'error' && (
          <div role="alert" className="banner banner-error">
            {experiments.error}
          </div>
        )}
        {experiments.state === 'ok' && (
          <ExperimentTable
            list={experiments.value}
            chosen={experiment}
            onChoose={setExperiment}
            onMore={
              experiments.value.matched > limit ? () => findExperiments(Math.min(200, limit * 4)) : null
            }
          />
        )}
      </fieldset>

      {experiment && contents.state === 'loading' && (
        <p className="muted">Reading the scans and assessors of {experiment.label}…</p>
      )}
      {contents.state === 'error' && (
        <div role="alert" className="banner banner-error">
          {contents.error}
        </div>
      )}
      {contents.state === 'ok' && (
        <>
          <ExperimentContents contents={contents.value} />
          <fieldset className="xd-fieldset">
            <legend>What to download</legend>
            <div className="xd-choice" role="radiogroup" aria-label="Scans or assessors">
              {(['scan', 'assessor'] as const).map((k) => (
                <label key={k} className="check">
                  <input
                    type="radio"
                    name="xd-type"
                    value={k}
                    checked={type === k}
                    onChange={() => {
                      setType(k);
                      const labels = contents.value.resources[k].map((r) => r.label);
                      setResource(labels.includes('DICOM') ? 'DICOM' : (labels[0] ?? 'ALL'));
                    }}
                  />
                  {k === 'scan'
                    ? `Scans (${contents.value.scans.length})`
                    : `Assessors (${contents.value.assessors.length})`}
                </label>
              ))}
            </div>
            <Field
              label="Resource type"
              hint="ALL takes every resource; a type that none of them has ends in a clear error from XNAT."
            >
              {(props) => (
                <select
                  {...props}
                  className="input"
                  value={resource}
                  onChange={(e) => setResource(e.target.value)}
                >
                  {choices.map((r) => (
                    <option key={r.label} value={r.label}>
                      {r.label} — {r.files} file{r.files === 1 ? '' : 's'}, {formatSize(r.bytes)}, on{' '}
                      {r.owners} {type}
                      {r.owners === 1 ? '' : 's'}
                    </option>
                  ))}
                  <option value="ALL">ALL — every resource</option>
                  {!choices.some((r) => r.label === 'DICOM') && <option value="DICOM">DICOM</option>}
                  {!choices.some((r) => r.label === 'NIFTI') && <option value="NIFTI">NIFTI</option>}
                  <option value={CUSTOM}>Another resource type…</option>
                </select>
              )}
            </Field>
            {resource === CUSTOM && (
              <TextField
                label="Custom resource type"
                value={customResource}
                onChange={setCustomResource}
                required
              />
            )}
          </fieldset>
        </>
      )}

      <TextField
        label="Output folder"
        value={out}
        onChange={setOut}
        required
        placeholder="/data/xnat-downloads"
        hint={
          experiment
            ? `The files arrive in ${out.trim() || '…'}/${experiment.label}/${type}s/… as in XNAT’s zip.`
            : 'A folder on the computer running Imaging Courier; created when missing.'
        }
      />
      <TextField
        label="Batch name"
        value={name}
        onChange={setName}
        placeholder={experiment ? `xnat-${experiment.label}` : 'xnat-<accession>'}
      />
      <label className="check">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} /> Start at once
      </label>
      {error && (
        <div role="alert" className="banner banner-error">
          {error}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || !ready}>
          {busy ? 'Creating…' : 'Create batch'}
        </button>
      </div>
    </form>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function ExperimentTable({
  list,
  chosen,
  onChoose,
  onMore,
}: {
  list: XnatExperimentList;
  chosen: XnatExperimentChoice | null;
  onChoose(e: XnatExperimentChoice): void;
  onMore: (() => void) | null;
}) {
  if (list.experiments.length === 0) {
    return (
      <p className="muted" role="status">
        No experiment label matches ({list.total} experiment{list.total === 1 ? '' : 's'} in the project).
      </p>
    );
  }
  return (
    <>
      <p className="muted" role="status">
        {list.matched > list.experiments.length
          ? `Showing ${list.experiments.length} of ${list.matched} matching experiments (of ${list.total}); narrow the search or show more.`
          : `${list.matched} matching experiment${list.matched === 1 ? '' : 's'} (of ${list.total} in the project).`}
      </p>
      <table className="xd-table" aria-label="Experiments">
        <thead>
          <tr>
            <th scope="col" className="xd-pick">
              <span className="xd-sr">Choose</span>
            </th>
            <th scope="col">Label</th>
            <th scope="col">Subject</th>
            <th scope="col">Date</th>
            <th scope="col">Type</th>
          </tr>
        </thead>
        <tbody>
          {list.experiments.map((e) => (
            <tr key={e.id || e.label} className={chosen?.label === e.label ? 'xd-chosen' : undefined}>
              <td>
                <input
                  type="radio"
                  name="xd-experiment"
                  aria-label={`Experiment ${e.label}`}
                  checked={chosen?.label === e.label}
                  onChange={() => onChoose(e)}
                />
              </td>
              <td>{e.label}</td>
              <td>{e.subject}</td>
              <td>{e.date}</td>
              <td>{e.xsiType.replace(/^xnat:/, '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {onMore && (
        <button type="button" className="button small" onClick={onMore}>
          Show more
        </button>
      )}
    </>
  );
}

export default XnatDownloadForm;
