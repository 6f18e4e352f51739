import type {
  XnatExperimentChoice,
  XnatExperimentContents,
  XnatResourceChoice,
  xnatDownloadCommands,
} from '../../../shared/commands/xnatDownload';
import { CourierError } from '../../../shared/errors';
import { XnatClient } from '../clients/xnat/xnatClient';
import { xnatNotFound } from '../clients/xnat/xnatErrors';
import { getRows } from '../clients/xnat/xnatJson';
import type { XnatRow } from '../clients/xnat/xnatJson';
import { ownerPath, projectPath } from '../clients/xnat/xnatPaths';
import type { CommandContext, HandlersFor } from './context';

/** Signs in with a saved XNAT connection, runs `work`, and logs out whatever happens. */
async function withConnection<T>(
  ctx: CommandContext,
  connectionId: string,
  work: (client: XnatClient) => Promise<T>,
): Promise<T> {
  const connection = ctx.connections.get(connectionId);
  if (connection.kind !== 'xnat') {
    throw new CourierError({
      code: 'bad-connection',
      message: `The connection '${connection.label}' is not an XNAT server.`,
    });
  }
  const login = await ctx.connections.login(connectionId);
  const client = await XnatClient.connect({
    server: connection.url,
    username: login.user,
    password: login.password,
    timeoutMs: 30_000,
  });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** Case-insensitive "contains", where `*` stands for any run of characters. */
export function labelMatcher(search: string | undefined): (label: string) => boolean {
  const text = (search ?? '').trim();
  if (text === '') return () => true;
  const pattern = text
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(pattern, 'i');
  return (label) => regex.test(label);
}

function experimentOf(row: XnatRow): XnatExperimentChoice {
  return {
    id: row.ID ?? '',
    label: row.label ?? '',
    subject: row.subject_label ?? '',
    date: row.date ?? '',
    xsiType: row.xsiType ?? '',
  };
}

/** Resource rows (`…/ALL/resources`) summed per label; `ownerOf` names the scan/assessor of a row. */
function resourceChoices(rows: XnatRow[]): XnatResourceChoice[] {
  const byLabel = new Map<string, XnatResourceChoice & { ownerIds: Set<string> }>();
  for (const row of rows) {
    const label = row.label ?? '';
    if (!label) continue;
    const entry = byLabel.get(label) ?? { label, owners: 0, files: 0, bytes: 0, ownerIds: new Set() };
    entry.ownerIds.add(row.cat_id ?? '');
    entry.files += Number(row.file_count) || 0;
    entry.bytes += Number(row.file_size) || 0;
    byLabel.set(label, entry);
  }
  return [...byLabel.values()]
    .map(({ ownerIds, ...choice }) => ({ ...choice, owners: ownerIds.size }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** A listing that may legitimately be absent (no assessors, no resources): 404 reads as empty. */
async function optionalRows(client: XnatClient, path: string, what: string): Promise<XnatRow[]> {
  try {
    return await getRows(client.session, { path, what }, () =>
      xnatNotFound('resource', `${what}: nothing there`),
    );
  } catch (err) {
    if (err instanceof CourierError && err.code === 'xnat-resource-not-found') return [];
    throw err;
  }
}

function resourcesOf(rows: XnatRow[], ...ids: string[]): string[] {
  const labels = rows.filter((r) => ids.includes(r.cat_id ?? '')).map((r) => r.label ?? '');
  return [...new Set(labels.filter(Boolean))].sort();
}

export function xnatDownloadHandlers(ctx: CommandContext): HandlersFor<typeof xnatDownloadCommands> {
  return {
    'xnatDownload.projects': ({ connectionId }) =>
      withConnection(ctx, connectionId, async (client) =>
        (await client.listProjects('read')).sort((a, b) => a.id.localeCompare(b.id)),
      ),

    'xnatDownload.experiments': ({ connectionId, project, search, limit }) =>
      withConnection(ctx, connectionId, async (client) => {
        const what = `listing the experiments of XNAT project '${project}'`;
        const rows = await getRows(
          client.session,
          {
            path: `${projectPath(project)}/experiments`,
            query: { columns: 'ID,label,date,xsiType,subject_label' },
            what,
          },
          () =>
            xnatNotFound(
              'project',
              `project '${project}' not found (or not readable by user '${client.session.username}')`,
              { project },
            ),
        );
        const matches = labelMatcher(search);
        const found = rows
          .map(experimentOf)
          .filter((e) => matches(e.label))
          .sort((a, b) => a.label.localeCompare(b.label));
        return { experiments: found.slice(0, limit), matched: found.length, total: rows.length };
      }),

    'xnatDownload.scans': ({ connectionId, project, experiment }) =>
      withConnection(ctx, connectionId, async (client): Promise<XnatExperimentContents> => {
        const found = await client.findExperiment(project, experiment);
        const base = ownerPath({ project, subject: found.subjectId, experiment: found.label });
        const where = `experiment '${found.label}' of XNAT project '${project}'`;
        const [scanRows, scanResources, assessorRows, assessorResources] = await Promise.all([
          optionalRows(client, `${base}/scans`, `listing the scans of ${where}`),
          optionalRows(client, `${base}/scans/ALL/resources`, `listing the scan resources of ${where}`),
          optionalRows(client, `${base}/assessors`, `listing the assessors of ${where}`),
          optionalRows(
            client,
            `${base}/assessors/ALL/resources`,
            `listing the assessor resources of ${where}`,
          ),
        ]);
        return {
          experiment: {
            id: found.id,
            label: found.label,
            subject: found.subjectLabel,
            date: found.date,
            xsiType: found.xsiType,
          },
          scans: scanRows.map((r) => ({
            id: r.ID ?? '',
            type: r.type ?? '',
            description: r.series_description ?? '',
            quality: r.quality ?? '',
            resources: resourcesOf(scanResources, r.ID ?? '', r.xnat_imagescandata_id ?? ''),
          })),
          assessors: assessorRows.map((r) => ({
            id: r.ID ?? '',
            label: r.label ?? '',
            xsiType: r.xsiType ?? '',
            resources: resourcesOf(assessorResources, r.ID ?? '', r.label ?? ''),
          })),
          resources: { scan: resourceChoices(scanResources), assessor: resourceChoices(assessorResources) },
        };
      }),
  };
}
