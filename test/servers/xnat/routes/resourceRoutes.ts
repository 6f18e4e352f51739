import { createHash } from 'node:crypto';
import { openContent, receiveBody } from '../fileContent';
import { booleanParam, drain, HttpError, sendJson, sendResultSet, sendText } from '../emulatorReply';
import type { RequestContext, Row } from '../emulatorReply';
import { requireEdit, resolveOwners, resolveResource, resolveSingleOwner } from '../emulatorResolve';
import { containerUri, projectOf } from '../emulatorModel';
import type { ContainerRecord, FileRecord, ResourceRecord } from '../emulatorModel';
import type { OwnerRef } from '../xnatPath';
import { streamBody } from './streamBody';
import { sendZip } from './zipRoute';

const RESOURCE_COLUMNS = [
  'xnat_abstractresource_id',
  'label',
  'element_name',
  'category',
  'cat_id',
  'cat_desc',
  'file_count',
  'file_size',
  'tags',
  'content',
  'format',
];
const FILE_COLUMNS = [
  'Name',
  'Size',
  'URI',
  'collection',
  'file_tags',
  'file_format',
  'file_content',
  'cat_ID',
  'digest',
];
/** Content types XNAT takes as "the file is the body" without `inbody=true`. */
const UPLOAD_TYPES = [
  'application/octet-stream',
  'application/zip',
  'application/x-zip-compressed',
  'application/dicom',
  'application/gzip',
  'application/x-gzip',
  'application/x-tar',
];

export function listResources(ctx: RequestContext, owner: OwnerRef): void {
  if (ctx.method !== 'GET') throw new HttpError(405, 'Method Not Allowed', { Allow: 'GET' });
  const rows: Row[] = [];
  for (const container of resolveOwners(ctx, owner)) {
    for (const resource of container.resources.values()) rows.push(resourceRow(container, resource));
  }
  sendResultSet(ctx, rows, { defaults: RESOURCE_COLUMNS, known: RESOURCE_COLUMNS, title: 'Resources' });
}

/** `PUT …/resources/{R}`: 200 when created, 409 when it already exists. */
export async function resourceRoute(ctx: RequestContext, owner: OwnerRef, label: string): Promise<void> {
  if (ctx.method === 'PUT') {
    await drain(ctx.req);
    const container = resolveSingleOwner(ctx, owner);
    requireEdit(ctx, projectOf(container), 'resources');
    if (container.resources.has(label)) throw new HttpError(409, 'Specified resource already exists.');
    const q = ctx.query;
    ctx.state.createResource(
      container,
      label,
      q.get('format') ?? '',
      q.get('content') ?? '',
      q.get('tags') ?? '',
    );
    sendText(ctx.res, 200, '');
    return;
  }
  if (ctx.method === 'DELETE') {
    await drain(ctx.req);
    const container = resolveSingleOwner(ctx, owner);
    requireEdit(ctx, projectOf(container), 'resources');
    await ctx.state.deleteResource(resolveResource(ctx, container, label));
    sendText(ctx.res, 200, '');
    return;
  }
  throw new HttpError(405, 'Method Not Allowed', { Allow: 'PUT, DELETE' });
}

/** `GET …/resources/{R}/files`: the listing with MD5 `digest`, or `format=zip`. */
export async function filesRoute(ctx: RequestContext, owner: OwnerRef, label: string): Promise<void> {
  if (ctx.method !== 'GET') throw new HttpError(405, 'Method Not Allowed', { Allow: 'GET' });
  const containers = resolveOwners(ctx, owner);
  const wanted = label === 'ALL' || label === '*' ? null : label.split(',');
  const resources: ResourceRecord[] = [];
  for (const container of containers) {
    for (const resource of container.resources.values()) {
      if (!wanted || wanted.includes(resource.label)) resources.push(resource);
    }
  }
  if (ctx.query.get('format') === 'zip') {
    await sendZip(ctx, resources);
    return;
  }
  const single = containers.length === 1 && wanted?.length === 1;
  if (single && resources.length === 0)
    throw new HttpError(404, `Unable to find the specified resource: ${label}`);
  const rows: Row[] = [];
  for (const resource of resources) for (const file of resource.files.values()) rows.push(fileRow(ctx, file));
  sendResultSet(ctx, rows, { defaults: FILE_COLUMNS, known: FILE_COLUMNS });
}

/** One file: PUT/POST stores it (200, or 200 + `duplicates` when it exists), GET streams it, DELETE removes it. */
export async function fileRoute(ctx: RequestContext, owner: OwnerRef, label: string, relPath: string) {
  const { method } = ctx;
  if (method === 'PUT' || method === 'POST') return putFile(ctx, owner, label, relPath);
  if (method === 'GET') {
    const [container] = resolveOwners(ctx, owner);
    if (!container) throw new HttpError(404, 'Unable to find file.');
    const file = resolveResource(ctx, container, label).files.get(relPath);
    if (!file) throw new HttpError(404, 'Unable to find file.');
    ctx.res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': file.size });
    await streamBody(openContent(file.content), ctx.res, ctx.faults.takeTruncate(method, ctx.rawPath));
    return;
  }
  if (method === 'DELETE') {
    await drain(ctx.req);
    const container = resolveSingleOwner(ctx, owner);
    requireEdit(ctx, projectOf(container), 'files');
    const file = resolveResource(ctx, container, label).files.get(relPath);
    if (!file) throw new HttpError(404, 'Unable to find file.');
    await ctx.state.deleteFile(file);
    sendText(ctx.res, 200, '');
    return;
  }
  throw new HttpError(405, 'Method Not Allowed', { Allow: 'GET, PUT, POST, DELETE' });
}

async function putFile(ctx: RequestContext, owner: OwnerRef, label: string, relPath: string): Promise<void> {
  const { req, query, state } = ctx;
  let resource: ResourceRecord;
  try {
    const container = resolveSingleOwner(ctx, owner);
    requireEdit(ctx, projectOf(container), 'files');
    resource = resolveResource(ctx, container, label);
  } catch (err) {
    await drain(req);
    throw err;
  }
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const inBody = booleanParam(query, 'inbody');
  if (contentType.startsWith('multipart/')) {
    await drain(req);
    if (inBody) {
      throw new HttpError(
        406,
        'In-body File posts must include the file directly as the body of the message (not as part of multi-part form data).',
      );
    }
    throw new HttpError(501, 'Multipart file uploads are not emulated; send the file as the body');
  }
  if (!inBody && !UPLOAD_TYPES.includes(contentType)) {
    await drain(req);
    throw new HttpError(
      400,
      "The request didn't provide any data: send the file as the body with a file Content-Type, try inbody=true or multipart/form-data",
    );
  }
  if (booleanParam(query, 'extract')) {
    await drain(req);
    throw new HttpError(501, 'extract=true is not emulated');
  }
  state.stats.filePuts += 1;
  const existing = resource.files.get(relPath);
  if (existing && !booleanParam(query, 'overwrite')) {
    await drain(req);
    existing.puts += 1;
    sendJson(ctx.res, 200, { duplicates: [relPath.split('/').pop() ?? relPath] });
    return;
  }
  const body = await receiveBody(req, ctx.config.storageDir, state.nextFileNumber());
  if (body === null) return; // the client went away: keep nothing
  if (body.size === 0) {
    throw new HttpError(
      400,
      "The request didn't provide any data (empty body); try inbody=true or multipart/form-data",
    );
  }
  const wrong = ctx.faults.takeWrongDigest(ctx.method, ctx.rawPath)
    ? createHash('md5').update(`wrong:${body.md5}`).digest('hex')
    : undefined;
  const file = await state.storeFile(resource, relPath, body, wrong);
  file.puts += 1;
  sendText(ctx.res, 200, '');
}

function resourceRow(container: ContainerRecord, resource: ResourceRecord): Row {
  let size = 0;
  for (const file of resource.files.values()) size += file.size;
  return {
    xnat_abstractresource_id: String(resource.id),
    label: resource.label,
    element_name: 'xnat:resourceCatalog',
    category: container.type === 'scan' ? 'scans' : container.type === 'assessor' ? 'assessors' : 'resources',
    cat_id: container.id,
    cat_desc: '',
    file_count: String(resource.files.size),
    file_size: String(size),
    tags: resource.tags,
    content: resource.content,
    format: resource.format,
  };
}

function fileRow(ctx: RequestContext, file: FileRecord): Row {
  const resource = file.resource;
  const encodedPath = file.relPath.split('/').map(encodeURIComponent).join('/');
  return {
    Name: file.relPath.split('/').pop() ?? file.relPath,
    Size: String(file.size),
    URI: `${containerUri(resource.owner)}/resources/${resource.id}/files/${encodedPath}`,
    collection: resource.label,
    file_tags: '',
    file_format: resource.format,
    file_content: resource.content,
    cat_ID: String(resource.id),
    digest: ctx.config.checksums ? file.reportedDigest : '',
  };
}
