import { booleanParam, HttpError, sendItem, sendResultSet } from '../emulatorReply';
import type { RequestContext, Row } from '../emulatorReply';
import { resolveProject } from '../emulatorResolve';
import type { ProjectRecord } from '../emulatorModel';

const PROJECT_COLUMNS = ['ID', 'secondary_ID', 'name', 'description', 'pi_firstname', 'pi_lastname'];

/** `GET /data/projects`: visible projects, filters `accessible`, `owner`, `member`, `collaborator`, `permissions`. */
export function listProjects(ctx: RequestContext): void {
  if (ctx.method !== 'GET') throw new HttpError(405, 'Method Not Allowed', { Allow: 'GET' });
  const { state, query } = ctx;
  const user = ctx.auth.username;
  const projects = [...state.projects.values()];
  const permission = query.get('permissions');
  if (permission) {
    // DXM's project picker: lowercase columns, sorted by secondary ID.
    const allowed = projects.filter((p) => {
      const role = state.roleOf(p, user);
      if (permission === 'read') return state.canRead(p, user);
      if (permission === 'edit' || permission === 'create') return role === 'owner' || role === 'member';
      if (permission === 'delete') return role === 'owner';
      throw new HttpError(400, `Unknown permission: ${permission}`);
    });
    const rows = allowed
      .map((p) => ({ id: p.id, secondary_id: p.secondaryId }))
      .sort((a, b) => a.secondary_id.localeCompare(b.secondary_id));
    sendResultSet(ctx, rows, { defaults: ['id', 'secondary_id'], known: ['id', 'secondary_id'] });
    return;
  }
  const filtered = projects.filter((p) => {
    if (!state.canSee(p, user)) return false;
    if (booleanParam(query, 'accessible') && !state.canRead(p, user)) return false;
    const role = state.roleOf(p, user);
    if (booleanParam(query, 'owner') && role !== 'owner') return false;
    if (booleanParam(query, 'member') && role !== 'member') return false;
    if (booleanParam(query, 'collaborator') && role !== 'collaborator') return false;
    return true;
  });
  sendResultSet(ctx, filtered.map(projectRow), {
    defaults: PROJECT_COLUMNS,
    known: [...PROJECT_COLUMNS, 'URI'],
    uri: true,
  });
}

/** `GET /data/projects/{ID or alias}?format=json`. */
export function getProject(ctx: RequestContext, idOrAlias: string): void {
  if (ctx.method !== 'GET') throw new HttpError(405, 'Method Not Allowed', { Allow: 'GET' });
  const project = resolveProject(ctx, idOrAlias);
  sendItem(
    ctx,
    'xnat:projectData',
    {
      ID: project.id,
      secondary_ID: project.secondaryId,
      name: project.name,
      description: project.description,
      active: 'true',
    },
    project.aliases.length > 0
      ? [
          {
            field: 'aliases/alias',
            items: project.aliases.map((alias) => ({
              children: [],
              meta: { 'xsi:type': 'xnat:projectData_alias', isHistory: false },
              data_fields: { alias, source: '' },
            })),
          },
        ]
      : [],
  );
}

function projectRow(p: ProjectRecord): Row {
  return {
    ID: p.id,
    secondary_ID: p.secondaryId,
    name: p.name,
    description: p.description,
    pi_firstname: '',
    pi_lastname: '',
    URI: `/data/projects/${encodeURIComponent(p.id)}`,
  };
}
