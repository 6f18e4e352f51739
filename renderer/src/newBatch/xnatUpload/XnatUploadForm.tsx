import { useEffect, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import type { Connection } from '../../../../shared/commands/connections';
import type { XnatUploadProject } from '../../../../shared/commands/xnatUpload';
import { useApi } from '../../api';
import { ConnectionPicker } from '../../components/ConnectionPicker';
import { Field, TextField } from '../../components/Field';
import { hrefOf } from '../../route';
import { ConfigEditor } from './ConfigEditor';
import { configOf, formOf, withXnat, xnatValue } from './configForm';
import type { ConfigForm } from './configForm';
import { PatternPreview } from './PatternPreview';
import { WorkbookTools } from './WorkbookTools';
import './xnatUpload.css';

const SAMPLE_SIZE = 60;

function lastSegment(path: string): string {
  return (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? path
  );
}

/** The folder's sample paths for the preview, read again when the folder changes. */
function useSample(dir: string) {
  const api = useApi();
  const [sample, setSample] = useState<{ paths: string[]; total: number; truncated: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const wanted = dir.trim();
    setSample(null);
    setError(null);
    if (!wanted) return;
    let current = true;
    const t = setTimeout(() => {
      api.call('xnatUpload.samplePaths', { dir: wanted, limit: SAMPLE_SIZE }).then(
        (s) => current && setSample(s),
        (e: Error) => current && setError(e.message),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(t);
    };
  }, [api, dir]);
  return { sample, error };
}

function useProjects(connection: Connection | null) {
  const api = useApi();
  const [projects, setProjects] = useState<XnatUploadProject[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setProjects(null);
    setError(null);
    if (!connection) return;
    let current = true;
    api.call('xnatUpload.projects', { connectionId: connection.id }).then(
      (p) => current && setProjects(p),
      (e: Error) => current && setError(`${connection.label}: ${e.message}`),
    );
    return () => {
      current = false;
    };
  }, [api, connection]);
  return { projects, error };
}

/**
 * DICOM folder → XNAT, as xnatuploader's two passes: folder, server and project, the Configuration
 * sheet with a live preview on the folder's own paths, then the scan; the batch's review page follows
 * the scan and holds the review and the upload (it can be left and opened again from the batch).
 */
export function XnatUploadForm() {
  const api = useApi();
  const [dir, setDir] = useState('');
  const [connection, setConnection] = useState<Connection | null>(null);
  const [project, setProject] = useState('');
  const [form, setForm] = useState<ConfigForm | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { sample, error: sampleError } = useSample(dir);
  const { projects, error: projectsError } = useProjects(connection);

  useEffect(() => {
    api.call('xnatUpload.defaultConfig', {}).then(
      (c) => setForm((f) => f ?? formOf(c)),
      (e: Error) => setError(e.message),
    );
  }, [api]);

  useEffect(() => {
    if (projects && !projects.some((p) => p.id === project)) {
      const fromSheet = form ? xnatValue(form, 'Project') : '';
      setProject(projects.some((p) => p.id === fromSheet) ? fromSheet : '');
    }
  }, [projects]);

  const config = useMemo(() => {
    if (!form) return null;
    let f = form;
    if (connection) f = withXnat(f, 'Server', connection.url);
    if (project) f = withXnat(f, 'Project', project);
    return configOf(f);
  }, [form, connection, project]);

  const startScan = async (e: FormEvent) => {
    e.preventDefault();
    if (!config || !connection) return;
    setBusy(true);
    setError(null);
    try {
      const batch = await api.call('batches.create', {
        name: name.trim() || `Upload of ${lastSegment(dir.trim())} to ${project}`,
        source: {
          kind: 'dicom-folder',
          config: { dir: dir.trim(), listing: 'folder', includeUnmatched: true, ...config },
        },
        target: { kind: 'xnat', config: { server: connection.url, project } },
        start: false,
      });
      await api.call('xnatUpload.scan', { batchId: batch.id });
      location.hash = hrefOf({ page: 'batch', batchId: batch.id, view: 'review' });
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  const errorBanner = error && (
    <div role="alert" className="banner banner-error">
      {error}
    </div>
  );

  const ready = Boolean(dir.trim() && connection && project && config && sample);
  return (
    <form
      className="form form-wide xu-flow"
      onSubmit={(e) => void startScan(e)}
      aria-label="DICOM folder to XNAT"
    >
      <fieldset className="xu-section">
        <legend>1. Folder</legend>
        <TextField
          label="Folder of DICOM files"
          value={dir}
          onChange={setDir}
          required
          placeholder="/data/incoming/study-2024"
          error={sampleError}
          hint={
            sample
              ? `${sample.truncated ? 'At least ' : ''}${sample.total.toLocaleString()} file${sample.total === 1 ? '' : 's'} found; the preview below uses ${sample.paths.length} of them.`
              : 'The full path of a folder on the computer running Imaging Courier.'
          }
        />
      </fieldset>
      <fieldset className="xu-section">
        <legend>2. XNAT</legend>
        <ConnectionPicker kind="xnat" value={connection} onChange={setConnection} />
        <Field
          label="Project"
          error={projectsError}
          hint={
            connection && projects?.length === 0
              ? `The account of ${connection.label} may not add data to any project.`
              : 'Projects this account may add data to.'
          }
        >
          {(props) => (
            <select
              {...props}
              className="input"
              value={project}
              disabled={!projects}
              onChange={(e) => setProject(e.target.value)}
            >
              <option value="">
                {!connection ? 'Choose a connection first' : projects ? 'Choose a project…' : 'Loading…'}
              </option>
              {projects?.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.id}
                  {p.name && p.name !== p.id ? ` — ${p.name}` : ''}
                </option>
              ))}
            </select>
          )}
        </Field>
      </fieldset>
      {form && config && (
        <fieldset className="xu-section">
          <legend>3. Patterns and mappings</legend>
          <WorkbookTools
            config={() => config}
            onImport={(imported) => {
              setForm(formOf(imported));
              const p = imported.xnat.Project ?? imported.xnat.project;
              if (p && projects?.some((x) => x.id === p)) setProject(p);
            }}
          />
          <ConfigEditor form={form} onChange={setForm} />
          {sample && (
            <PatternPreview
              patterns={config.paths}
              mappings={config.mappings}
              paths={sample.paths}
              total={sample.total}
              truncated={sample.truncated}
            />
          )}
        </fieldset>
      )}
      <fieldset className="xu-section">
        <legend>4. Scan</legend>
        <TextField
          label="Batch name"
          value={name}
          onChange={setName}
          placeholder={dir ? `Upload of ${lastSegment(dir)} to ${project || '…'}` : 'Upload of …'}
        />
        <p className="muted small">
          The scan reads every file’s DICOM header (nothing is sent yet); then you review what goes where.
        </p>
      </fieldset>
      {errorBanner}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || !ready}>
          {busy ? 'Starting the scan…' : 'Scan the folder'}
        </button>
      </div>
    </form>
  );
}
