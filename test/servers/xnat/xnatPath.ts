/**
 * Parses an XNAT REST path (after `/data` or `/data/archive`) into what it addresses, without looking
 * anything up. Segments are split before decoding, so `%2F` stays inside a label.
 */

export interface ExperimentRef {
  project?: string;
  subject?: string;
  /** Label (within a project) or accession ID. */
  experiment: string;
}

export type OwnerRef =
  | { level: 'project'; project: string }
  | { level: 'subject'; project?: string; subject: string }
  | { level: 'experiment'; experiment: ExperimentRef }
  /** `ids`: one ID, a comma list, or `ALL` / `*` (scans are matched by ID or by type). */
  | { level: 'scan'; experiment: ExperimentRef; ids: string }
  | { level: 'assessor'; experiment: ExperimentRef; ids: string };

export type XnatPath =
  | { kind: 'jsession' }
  | { kind: 'auth' }
  | { kind: 'token-issue' }
  | { kind: 'projects' }
  | { kind: 'project'; project: string }
  | { kind: 'subjects'; project: string }
  | { kind: 'subject'; project?: string; subject: string }
  | { kind: 'experiments'; project: string; subject?: string }
  | { kind: 'experiment'; ref: ExperimentRef }
  | { kind: 'scans'; ref: ExperimentRef }
  | { kind: 'scan'; ref: ExperimentRef; scan: string }
  | { kind: 'assessors'; ref: ExperimentRef }
  | { kind: 'assessor'; ref: ExperimentRef; assessor: string }
  | { kind: 'resources'; owner: OwnerRef }
  | { kind: 'resource'; owner: OwnerRef; resource: string }
  | { kind: 'files'; owner: OwnerRef; resource: string }
  | { kind: 'file'; owner: OwnerRef; resource: string; relPath: string };

/** `null` when the path is not an XNAT route (the server answers 404). */
export function parseXnatPath(rawPath: string): XnatPath | null {
  const prefix = /^\/data(\/archive)?(?=\/|$)/.exec(rawPath);
  if (!prefix) return null;
  const raw = rawPath
    .slice(prefix[0].length)
    .split('/')
    .filter((s, i) => i > 0 || s !== '');
  let segs: string[];
  try {
    segs = raw.map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  if (segs.some((s) => s === '')) return null;
  const [head, ...rest] = segs;
  switch (head) {
    case 'JSESSION':
      return rest.length === 0 ? { kind: 'jsession' } : null;
    case 'auth':
      return rest.length === 0 ? { kind: 'auth' } : null;
    case 'services':
      return rest.join('/') === 'tokens/issue' ? { kind: 'token-issue' } : null;
    case 'projects':
      return parseProjects(rest);
    case 'subjects':
      return rest[0] === undefined ? null : parseSubjectTail({ subject: rest[0] }, rest.slice(1));
    case 'experiments':
      return rest[0] === undefined ? null : parseExperimentTail({ experiment: rest[0] }, rest.slice(1));
    default:
      return null;
  }
}

function parseProjects(segs: string[]): XnatPath | null {
  const [project, child, ...rest] = segs;
  if (project === undefined) return { kind: 'projects' };
  if (child === undefined) return { kind: 'project', project };
  if (child === 'subjects') {
    if (rest[0] === undefined) return { kind: 'subjects', project };
    return parseSubjectTail({ project, subject: rest[0] }, rest.slice(1));
  }
  if (child === 'experiments') {
    if (rest[0] === undefined) return { kind: 'experiments', project };
    return parseExperimentTail({ project, experiment: rest[0] }, rest.slice(1));
  }
  if (child === 'resources') return parseResourceTail({ level: 'project', project }, [child, ...rest]);
  return null;
}

function parseSubjectTail(ref: { project?: string; subject: string }, segs: string[]): XnatPath | null {
  const [child, ...rest] = segs;
  if (child === undefined) return { kind: 'subject', ...ref };
  if (child === 'experiments') {
    if (ref.project === undefined) return null;
    if (rest[0] === undefined) return { kind: 'experiments', project: ref.project, subject: ref.subject };
    return parseExperimentTail(
      { project: ref.project, subject: ref.subject, experiment: rest[0] },
      rest.slice(1),
    );
  }
  if (child === 'resources') return parseResourceTail({ level: 'subject', ...ref }, segs);
  return null;
}

function parseExperimentTail(ref: ExperimentRef, segs: string[]): XnatPath | null {
  const [child, id, ...rest] = segs;
  if (child === undefined) return { kind: 'experiment', ref };
  if (child === 'resources') return parseResourceTail({ level: 'experiment', experiment: ref }, segs);
  if (child === 'scans' || child === 'assessors') {
    if (id === undefined) return child === 'scans' ? { kind: 'scans', ref } : { kind: 'assessors', ref };
    if (rest.length === 0) {
      return child === 'scans' ? { kind: 'scan', ref, scan: id } : { kind: 'assessor', ref, assessor: id };
    }
    const level = child === 'scans' ? 'scan' : 'assessor';
    return parseResourceTail({ level, experiment: ref, ids: id }, rest);
  }
  return null;
}

function parseResourceTail(owner: OwnerRef, segs: string[]): XnatPath | null {
  const [resources, resource, files, ...relPath] = segs;
  if (resources !== 'resources') return null;
  if (resource === undefined) return { kind: 'resources', owner };
  if (files === undefined) return { kind: 'resource', owner, resource };
  if (files !== 'files') return null;
  if (relPath.length === 0) return { kind: 'files', owner, resource };
  if (relPath.some((s) => s === '.' || s === '..')) return null;
  return { kind: 'file', owner, resource, relPath: relPath.join('/') };
}
