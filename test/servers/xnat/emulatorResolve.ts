import { HttpError } from './emulatorReply';
import type { RequestContext } from './emulatorReply';
import type {
  ContainerRecord,
  ExperimentRecord,
  ProjectRecord,
  ResourceRecord,
  SubjectRecord,
} from './emulatorModel';
import { projectOf } from './emulatorModel';
import type { ExperimentRef, OwnerRef } from './xnatPath';

/**
 * Lookups as the calling user sees them: XNAT filters by user, so an object in a project the user cannot
 * see is a 404, not a 403.
 */
export function resolveProject(ctx: RequestContext, idOrAlias: string): ProjectRecord {
  const project = ctx.state.findProject(idOrAlias);
  if (!project || !ctx.state.canSee(project, ctx.auth.username)) {
    throw new HttpError(404, `Unable to find the specified project: ${idOrAlias}`);
  }
  return project;
}

export function requireRead(ctx: RequestContext, project: ProjectRecord): void {
  if (!ctx.state.canRead(project, ctx.auth.username)) {
    throw new HttpError(
      403,
      `Specified user account has insufficient read privileges for project ${project.id}.`,
    );
  }
}

export function requireEdit(ctx: RequestContext, project: ProjectRecord, what: string): void {
  if (!ctx.state.canEdit(project, ctx.auth.username)) {
    throw new HttpError(
      403,
      `Specified user account has insufficient create privileges for ${what} in the ${project.id} project.`,
    );
  }
}

export function resolveSubject(
  ctx: RequestContext,
  ref: { project?: string; subject: string },
): SubjectRecord {
  if (ref.project === undefined) {
    const subject = ctx.state.subjectsById.get(ref.subject);
    if (!subject || !ctx.state.canRead(subject.project, ctx.auth.username)) {
      throw new HttpError(
        404,
        `Unable to find the specified subject: ${ref.subject}. Without a project, only the accession ID is accepted.`,
      );
    }
    return subject;
  }
  const project = resolveProject(ctx, ref.project);
  requireRead(ctx, project);
  const subject = ctx.state.findSubject(project, ref.subject);
  if (!subject) throw new HttpError(404, `Unable to find the specified subject: ${ref.subject}`);
  return subject;
}

export function resolveExperiment(ctx: RequestContext, ref: ExperimentRef): ExperimentRecord {
  if (ref.project === undefined) {
    const experiment = ctx.state.experimentsById.get(ref.experiment);
    if (!experiment || !ctx.state.canRead(experiment.project, ctx.auth.username)) {
      throw new HttpError(404, `Unable to find the specified experiment: ${ref.experiment}`);
    }
    return experiment;
  }
  const project = resolveProject(ctx, ref.project);
  requireRead(ctx, project);
  if (ref.subject !== undefined) {
    const subject = ctx.state.findSubject(project, ref.subject);
    if (!subject) throw new HttpError(404, `Unable to find the specified subject: ${ref.subject}`);
    const experiment = ctx.state.findExperiment(project, ref.experiment);
    if (!experiment || experiment.subject !== subject) {
      throw new HttpError(404, `Unable to find the specified experiment: ${ref.experiment}`);
    }
    return experiment;
  }
  const experiment = ctx.state.findExperiment(project, ref.experiment);
  if (!experiment) throw new HttpError(404, `Unable to find the specified experiment: ${ref.experiment}`);
  return experiment;
}

/** The containers an owner path names; a scan/assessor list (`ALL`, `*`, `1,2`, a scan type) may give several. */
export function resolveOwners(ctx: RequestContext, owner: OwnerRef): ContainerRecord[] {
  switch (owner.level) {
    case 'project': {
      const project = resolveProject(ctx, owner.project);
      requireRead(ctx, project);
      return [project];
    }
    case 'subject':
      return [resolveSubject(ctx, owner)];
    case 'experiment':
      return [resolveExperiment(ctx, owner.experiment)];
    case 'scan': {
      const experiment = resolveExperiment(ctx, owner.experiment);
      const scans = [...experiment.scans.values()];
      if (isAll(owner.ids)) return scans;
      const wanted = owner.ids.split(',');
      const picked = scans.filter((s) => wanted.includes(s.id) || wanted.includes(s.scanType));
      if (picked.length === 0) throw new HttpError(404, `Unable to find the specified scan(s): ${owner.ids}`);
      return picked;
    }
    case 'assessor': {
      const experiment = resolveExperiment(ctx, owner.experiment);
      const assessors = [...experiment.assessors.values()];
      if (isAll(owner.ids)) return assessors;
      const wanted = owner.ids.split(',');
      const picked = assessors.filter((a) => wanted.includes(a.label) || wanted.includes(a.id));
      if (picked.length === 0)
        throw new HttpError(404, `Unable to find the specified assessor(s): ${owner.ids}`);
      return picked;
    }
  }
}

/** Exactly one container (for writes), or 400 for a multi-selection. */
export function resolveSingleOwner(ctx: RequestContext, owner: OwnerRef): ContainerRecord {
  if (
    (owner.level === 'scan' || owner.level === 'assessor') &&
    (isAll(owner.ids) || owner.ids.includes(','))
  ) {
    throw new HttpError(400, `Cannot modify several ${owner.level}s at once (${owner.ids})`);
  }
  const owners = resolveOwners(ctx, owner);
  const [first] = owners;
  if (owners.length !== 1 || !first) throw new HttpError(400, 'Ambiguous container');
  return first;
}

export function resolveResource(ctx: RequestContext, owner: ContainerRecord, label: string): ResourceRecord {
  const resource =
    owner.resources.get(label) ?? [...owner.resources.values()].find((r) => String(r.id) === label);
  if (!resource) throw new HttpError(404, `Unable to find the specified resource: ${label}`);
  requireRead(ctx, projectOf(owner));
  return resource;
}

export function isAll(ids: string): boolean {
  return ids === 'ALL' || ids === '*';
}
