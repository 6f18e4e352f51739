import type { Readable } from 'node:stream';
import yazl from 'yazl';
import { openContent } from '../fileContent';
import { HttpError } from '../emulatorReply';
import type { RequestContext } from '../emulatorReply';
import type { ContainerRecord, ResourceRecord } from '../emulatorModel';
import { streamBody } from './streamBody';

/** Folder of a container inside XNAT's zip (`structure=default`): cut at the session, named by label. */
function containerFolder(owner: ContainerRecord): string {
  switch (owner.type) {
    case 'project':
      return owner.id;
    case 'subject':
      return owner.label;
    case 'experiment':
      return owner.label;
    case 'scan':
      return `${owner.experiment.label}/scans/${owner.id}`;
    case 'assessor':
      return `${owner.experiment.label}/assessors/${owner.label}`;
  }
}

function archiveName(owner: ContainerRecord): string {
  return owner.type === 'scan' || owner.type === 'assessor' ? owner.experiment.label : containerFolder(owner);
}

/**
 * `?format=zip`: a streamed (chunked) zip whose entries are `<label>/scans/<id>/resources/<R>/files/<path>`
 * (`structure=simplified` drops `resources/` and `files/`); 404 when nothing matches.
 */
export async function sendZip(ctx: RequestContext, resources: ResourceRecord[]): Promise<void> {
  const structure = ctx.query.get('structure') ?? 'default';
  if (structure !== 'default' && structure !== 'simplified') {
    throw new HttpError(501, `structure=${structure} is not emulated`);
  }
  const files = resources.flatMap((r) => [...r.files.values()]);
  const first = files[0];
  if (!first) {
    if ((ctx.query.get('accept-not-found') ?? '') === 'true') {
      ctx.res.writeHead(204);
      ctx.res.end();
      return;
    }
    throw new HttpError(404, 'No matching files were found for the requested resources.');
  }
  ctx.state.stats.zipDownloads += 1;
  const replacement = ctx.faults.takeZipReplacement(ctx.method, ctx.rawPath);
  if (replacement) {
    ctx.res.writeHead(200, {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${archiveName(first.resource.owner)}.zip"`,
    });
    ctx.res.end(replacement);
    return;
  }
  const zip = new yazl.ZipFile();
  const compress = ctx.config.zipCompression === 'deflate';
  const mtime = new Date();
  for (const file of files) {
    const resource = file.resource;
    const name =
      structure === 'default'
        ? `${containerFolder(resource.owner)}/resources/${resource.label}/files/${file.relPath}`
        : `${containerFolder(resource.owner)}/${resource.label}/${file.relPath}`;
    zip.addReadStreamLazy(name, { size: file.size, compress, mtime }, (cb) =>
      cb(null, openContent(file.content)),
    );
  }
  zip.end();
  ctx.res.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': `attachment; filename="${archiveName(first.resource.owner)}.zip"`,
  });
  await streamBody(zip.outputStream as Readable, ctx.res, ctx.faults.takeTruncate(ctx.method, ctx.rawPath));
}
