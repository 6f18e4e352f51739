import { CourierError } from '../../../../shared/errors';
import { xnatNotFound, xnatUnexpected } from './xnatErrors';
import { getItem, getRows } from './xnatJson';
import {
  describeOwner,
  experimentPath,
  ownerPath,
  projectPath,
  resourcePath,
  subjectPath,
} from './xnatPaths';
import type { XnatOwner } from './xnatPaths';
import type { XnatSession } from './xnatSession';

export interface XnatProject {
  id: string;
  secondaryId: string;
  name: string;
}

export interface XnatExperiment {
  id: string;
  label: string;
  project: string;
  subjectId: string;
  subjectLabel: string;
  xsiType: string;
  date: string;
}

export type ExperimentAction = 'pullDataFromHeaders' | 'fixScanTypes' | 'triggerPipelines';

function projectMissing(session: XnatSession, project: string) {
  return () =>
    xnatNotFound(
      'project',
      `project '${project}' not found (checked IDs, aliases and secondary IDs visible to user '${session.username}')`,
      { project },
    );
}

/**
 * Projects the user can read (`access: 'read'`, the default) or add data to (`'edit'`), as XNAT lists them.
 */
export async function listProjects(
  session: XnatSession,
  access: 'read' | 'edit' = 'read',
): Promise<XnatProject[]> {
  if (access === 'edit') {
    const rows = await getRows(session, {
      path: '/data/projects',
      query: { permissions: 'edit', dataType: 'xnat:subjectData' },
      what: 'listing the XNAT projects the user can edit',
    });
    return rows.map((r) => ({
      id: r.id ?? r.ID ?? '',
      secondaryId: r.secondary_id ?? '',
      name: r.name ?? '',
    }));
  }
  const rows = await getRows(session, {
    path: '/data/projects',
    query: { accessible: 'true' },
    what: 'listing the XNAT projects the user can read',
  });
  return rows.map((r) => ({ id: r.ID ?? '', secondaryId: r.secondary_ID ?? '', name: r.name ?? '' }));
}

/**
 * Finds a project by ID or alias (XNAT resolves both), else by secondary ID (found by listing the
 * projects, since XNAT does not look secondary IDs up). Throws `xnat-project-not-found`.
 */
export async function findProject(session: XnatSession, key: string): Promise<XnatProject> {
  const what = `looking up XNAT project '${key}'`;
  try {
    const item = await getItem(session, { path: projectPath(key), what }, projectMissing(session, key));
    return {
      id: item.fields.ID ?? key,
      secondaryId: item.fields.secondary_ID ?? '',
      name: item.fields.name ?? '',
    };
  } catch (err) {
    if (!(err instanceof CourierError) || err.code !== 'xnat-project-not-found') throw err;
  }
  const projects = await listProjects(session, 'read');
  const matches = projects.filter((p) => p.secondaryId === key);
  if (matches.length > 1) {
    throw new CourierError({
      code: 'xnat-project-ambiguous',
      message: `Several XNAT projects have the secondary ID '${key}' (${matches.map((p) => p.id).join(', ')}); use the project ID`,
    });
  }
  const [match] = matches;
  if (!match) throw projectMissing(session, key)();
  return match;
}

/**
 * Finds an experiment by label (or accession ID) in a project, with its subject. Throws
 * `xnat-experiment-not-found`, or `xnat-project-not-found` when the project itself is missing.
 */
export async function findExperiment(
  session: XnatSession,
  project: string,
  label: string,
): Promise<XnatExperiment> {
  const what = `looking up experiment '${label}' in XNAT project '${project}'`;
  let missing = false;
  const item = await getItem(
    session,
    { path: `${projectPath(project)}/experiments/${encodeURIComponent(label)}`, what },
    () => {
      missing = true;
      return xnatNotFound('experiment', `experiment '${label}' not found in project '${project}'`, {
        project,
        label,
      });
    },
  ).catch(async (err: unknown) => {
    if (missing) await findProject(session, project); // a missing project says so instead
    throw err;
  });
  const subjectId = item.fields.subject_ID ?? '';
  if (!subjectId) throw xnatUnexpected(what, 'the experiment has no subject_ID');
  const subject = await getItem(session, {
    path: subjectPath(project, subjectId),
    what: `looking up subject ${subjectId} of experiment '${label}'`,
  });
  return {
    id: item.fields.ID ?? '',
    label: item.fields.label ?? label,
    project: item.fields.project ?? project,
    subjectId,
    subjectLabel: subject.fields.label ?? subjectId,
    xsiType: item.xsiType,
    date: item.fields.date ?? '',
  };
}

/** Creates the subject if missing (201) or finds it (200); returns its accession ID. */
export async function ensureSubject(session: XnatSession, project: string, label: string) {
  const what = `creating subject '${label}' in XNAT project '${project}'`;
  return putObject(session, subjectPath(project, label), {}, what, projectMissing(session, project));
}

/**
 * Creates the experiment (and its subject) if missing (201) or finds it (200). `date` may be `YYYYMMDD`
 * (DICOM) or `YYYY-MM-DD`.
 */
export async function ensureExperiment(
  session: XnatSession,
  target: { project: string; subject: string; label: string; xsiType: string; date?: string },
) {
  const what = `creating experiment '${target.label}' in XNAT project '${target.project}'`;
  const query: Record<string, string> = { xsiType: target.xsiType };
  if (target.date) query.date = isoDate(target.date);
  return putObject(
    session,
    experimentPath(target.project, target.subject, target.label),
    query,
    what,
    projectMissing(session, target.project),
  );
}

/** Creates or updates a scan (`PUT …/scans/{id}` answers 200 either way). */
export async function ensureScan(
  session: XnatSession,
  target: {
    project: string;
    subject: string;
    experiment: string;
    scan: string;
    xsiType?: string;
    type?: string;
    seriesDescription?: string;
  },
): Promise<void> {
  const owner: XnatOwner = {
    project: target.project,
    subject: target.subject,
    experiment: target.experiment,
  };
  const query: Record<string, string | undefined> = {
    xsiType: target.xsiType,
    type: target.type,
    series_description: target.seriesDescription,
  };
  const what = `creating scan ${target.scan} in ${describeOwner(owner)}`;
  await putObject(session, `${ownerPath(owner)}/scans/${encodeURIComponent(target.scan)}`, query, what, () =>
    xnatNotFound('experiment', `${describeOwner(owner)} not found`, { ...owner }),
  );
}

/** Creates a resource folder; one that already exists (409) is reused. */
export async function ensureResource(
  session: XnatSession,
  owner: XnatOwner,
  label: string,
  options: { format?: string; content?: string } = {},
): Promise<{ created: boolean }> {
  const what = `creating resource '${label}' on ${describeOwner(owner)}`;
  const response = await session.send({
    method: 'PUT',
    path: resourcePath(owner, label),
    query: { format: options.format, content: options.content },
    what,
  });
  if (response.status === 409) {
    response.body.resume();
    return { created: false };
  }
  if (response.status === 200 || response.status === 201) {
    response.body.resume();
    return { created: true };
  }
  throw await session.failure(response, what, () =>
    xnatNotFound(owner.scan ? 'scan' : 'experiment', `${describeOwner(owner)} not found`, { ...owner }),
  );
}

/** Asks XNAT to run `pullDataFromHeaders`, `fixScanTypes` or `triggerPipelines` on an experiment. */
export async function runExperimentAction(
  session: XnatSession,
  target: { project: string; subject: string; experiment: string },
  action: ExperimentAction,
): Promise<void> {
  const owner: XnatOwner = target;
  const what = `${action} on ${describeOwner(owner)}`;
  await putObject(session, ownerPath(owner), { [action]: 'true' }, what, () =>
    xnatNotFound('experiment', `${describeOwner(owner)} not found`, { ...owner }),
  );
}

async function putObject(
  session: XnatSession,
  path: string,
  query: Record<string, string | undefined>,
  what: string,
  notFound: () => CourierError,
): Promise<{ id: string; created: boolean }> {
  const response = await session.send({ method: 'PUT', path, query, what });
  if (response.status !== 200 && response.status !== 201)
    throw await session.failure(response, what, notFound);
  const id = (await session.readText(response, what, 64 * 1024)).trim();
  return { id, created: response.status === 201 };
}

function isoDate(date: string): string {
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
  if (compact) return `${compact[1]}-${compact[2]}-${compact[3]}`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(date)) return date;
  throw new CourierError({
    code: 'xnat-bad-date',
    message: `'${date}' is not a date XNAT accepts (YYYYMMDD or YYYY-MM-DD)`,
  });
}
