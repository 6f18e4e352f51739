/** Where something lives in an XNAT archive, by labels (scan by ID). */
export interface XnatOwner {
  project: string;
  subject?: string;
  experiment?: string;
  scan?: string;
  assessor?: string;
}

/** A file inside a resource of an owner. `name` may contain `/` for sub-folders. */
export interface XnatFileTarget {
  owner: XnatOwner;
  resource: string;
  name: string;
}

const seg = encodeURIComponent;

export function projectPath(project: string): string {
  return `/data/projects/${seg(project)}`;
}

export function subjectPath(project: string, subject: string): string {
  return `${projectPath(project)}/subjects/${seg(subject)}`;
}

export function experimentPath(project: string, subject: string, experiment: string): string {
  return `${subjectPath(project, subject)}/experiments/${seg(experiment)}`;
}

/** The REST path of an owner; an experiment needs its subject, a scan or assessor its experiment. */
export function ownerPath(owner: XnatOwner): string {
  if (owner.subject === undefined) {
    if (owner.experiment !== undefined) throw new Error('an experiment path needs its subject');
    return projectPath(owner.project);
  }
  if (owner.experiment === undefined) return subjectPath(owner.project, owner.subject);
  const base = experimentPath(owner.project, owner.subject, owner.experiment);
  if (owner.scan !== undefined) return `${base}/scans/${seg(owner.scan)}`;
  if (owner.assessor !== undefined) return `${base}/assessors/${seg(owner.assessor)}`;
  return base;
}

export function resourcePath(owner: XnatOwner, resource: string): string {
  return `${ownerPath(owner)}/resources/${seg(resource)}`;
}

export function filePath(target: XnatFileTarget): string {
  const name = target.name.split('/').map(seg).join('/');
  return `${resourcePath(target.owner, target.resource)}/files/${name}`;
}

/** Words for an owner in messages: `scan 3 of experiment 'E1' (subject 'S1', project 'P1')`. */
export function describeOwner(owner: XnatOwner): string {
  const where =
    owner.subject === undefined
      ? `project '${owner.project}'`
      : `subject '${owner.subject}', project '${owner.project}'`;
  if (owner.experiment === undefined) {
    return owner.subject === undefined ? where : `subject '${owner.subject}' of project '${owner.project}'`;
  }
  const experiment = `experiment '${owner.experiment}' (${where})`;
  if (owner.scan !== undefined) return `scan ${owner.scan} of ${experiment}`;
  if (owner.assessor !== undefined) return `assessor '${owner.assessor}' of ${experiment}`;
  return experiment;
}
