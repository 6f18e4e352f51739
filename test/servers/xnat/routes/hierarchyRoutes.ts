import { booleanParam, drain, HttpError, sendItem, sendResultSet, sendText } from '../emulatorReply';
import type { RequestContext, Row } from '../emulatorReply';
import {
  requireEdit,
  requireRead,
  resolveExperiment,
  resolveProject,
  resolveSubject,
} from '../emulatorResolve';
import { containerUri } from '../emulatorModel';
import type { ExperimentRecord, ScanRecord, SubjectRecord } from '../emulatorModel';
import type { ExperimentRef } from '../xnatPath';

const SUBJECT_COLUMNS = ['ID', 'project', 'label', 'insert_date', 'insert_user'];
const EXPERIMENT_COLUMNS = ['ID', 'project', 'date', 'xsiType', 'label', 'insert_date'];
const SCAN_COLUMNS = [
  'xnat_imagescandata_id',
  'ID',
  'type',
  'quality',
  'xsiType',
  'note',
  'series_description',
];
const EXPERIMENT_ACTIONS = ['pullDataFromHeaders', 'fixScanTypes', 'triggerPipelines'];

/** A query field given as a shortcut (`date`) or as an XPath (`xnat:ctSessionData/date`). */
function field(query: URLSearchParams, name: string): string | null {
  const direct = query.get(name);
  if (direct !== null) return direct;
  for (const [key, value] of query) if (key.endsWith(`/${name}`)) return value;
  return null;
}

function methodNotAllowed(allow: string): never {
  throw new HttpError(405, 'Method Not Allowed', { Allow: allow });
}

// ---- subjects ---------------------------------------------------------------------------------

export function listSubjects(ctx: RequestContext, projectId: string): void {
  if (ctx.method !== 'GET') methodNotAllowed('GET');
  const project = resolveProject(ctx, projectId);
  requireRead(ctx, project);
  const rows = [...project.subjects.values()].map(subjectRow);
  sendResultSet(ctx, rows, {
    defaults: SUBJECT_COLUMNS,
    known: [...SUBJECT_COLUMNS, 'group', 'URI'],
    uri: true,
  });
}

export async function subjectRoute(ctx: RequestContext, ref: { project?: string; subject: string }) {
  if (ctx.method === 'GET') {
    const subject = resolveSubject(ctx, ref);
    sendItem(ctx, 'xnat:subjectData', {
      ID: subject.id,
      label: subject.label,
      project: subject.project.id,
      group: subject.group,
      insert_date: subject.insertDate,
      insert_user: subject.insertUser,
    });
    return;
  }
  if (ctx.method !== 'PUT') methodNotAllowed('GET, PUT');
  await drain(ctx.req);
  if (ref.project === undefined) throw new HttpError(422, 'Subjects must be created within a project');
  const project = resolveProject(ctx, ref.project);
  requireEdit(ctx, project, 'subjects');
  const existing = ctx.state.findSubject(project, ref.subject);
  const label = ctx.query.get('label');
  if (label !== null && label !== (existing?.label ?? ref.subject)) {
    throw new HttpError(400, 'Relabelling a subject is not supported by this server');
  }
  if (existing) {
    const group = ctx.query.get('group');
    if (group !== null) existing.group = group;
    sendText(ctx.res, 200, existing.id);
    return;
  }
  const subject = ctx.state.createSubject(
    project,
    ref.subject,
    ctx.auth.username,
    ctx.query.get('group') ?? '',
  );
  sendText(ctx.res, 201, subject.id);
}

function subjectRow(s: SubjectRecord): Row {
  return {
    ID: s.id,
    project: s.project.id,
    label: s.label,
    insert_date: s.insertDate,
    insert_user: s.insertUser,
    group: s.group,
    URI: containerUri(s),
  };
}

// ---- experiments ------------------------------------------------------------------------------

export function listExperiments(ctx: RequestContext, projectId: string, subjectRef?: string): void {
  if (ctx.method !== 'GET') methodNotAllowed('GET');
  const project = resolveProject(ctx, projectId);
  requireRead(ctx, project);
  let experiments = [...project.experiments.values()];
  if (subjectRef !== undefined) {
    const subject = ctx.state.findSubject(project, subjectRef);
    if (!subject) throw new HttpError(404, `Unable to find the specified subject: ${subjectRef}`);
    experiments = [...subject.experiments.values()];
  }
  const known = [...EXPERIMENT_COLUMNS, 'subject_ID', 'subject_label', 'URI'];
  sendResultSet(ctx, experiments.map(experimentRow), { defaults: EXPERIMENT_COLUMNS, known, uri: true });
}

export async function experimentRoute(ctx: RequestContext, ref: ExperimentRef): Promise<void> {
  if (ctx.method === 'GET') {
    const experiment = resolveExperiment(ctx, ref);
    sendItem(
      ctx,
      experiment.xsiType,
      {
        ID: experiment.id,
        label: experiment.label,
        project: experiment.project.id,
        subject_ID: experiment.subject.id,
        date: experiment.date,
        insert_date: experiment.insertDate,
      },
      [{ field: 'scans/scan', items: [...experiment.scans.values()].map(scanItem) }],
    );
    return;
  }
  if (ctx.method !== 'PUT') methodNotAllowed('GET, PUT');
  await drain(ctx.req);
  const experiment = putExperiment(ctx, ref);
  for (const action of EXPERIMENT_ACTIONS) {
    if (booleanParam(ctx.query, action)) experiment.record.actions.push(action);
  }
  sendText(ctx.res, experiment.created ? 201 : 200, experiment.record.id);
}

function putExperiment(
  ctx: RequestContext,
  ref: ExperimentRef,
): { record: ExperimentRecord; created: boolean } {
  if (ref.project === undefined) {
    const record = resolveExperiment(ctx, ref);
    requireEdit(ctx, record.project, 'experiments');
    applyExperimentFields(ctx, record);
    return { record, created: false };
  }
  const project = resolveProject(ctx, ref.project);
  requireEdit(ctx, project, 'experiments');
  const existing = ctx.state.findExperiment(project, ref.experiment);
  const label = ctx.query.get('label');
  if (label !== null && label !== (existing?.label ?? ref.experiment)) {
    throw new HttpError(400, 'Relabelling an experiment is not supported by this server');
  }
  if (existing) {
    if (ref.subject !== undefined) {
      const subject = ctx.state.findSubject(project, ref.subject);
      if (subject !== existing.subject) {
        throw new HttpError(
          409,
          `Experiment ${existing.label} already exists in project ${project.id} for subject ${existing.subject.label}`,
        );
      }
    }
    applyExperimentFields(ctx, existing);
    return { record: existing, created: false };
  }
  if (ref.subject === undefined) throw new HttpError(422, 'A new experiment needs a subject');
  const xsiType = ctx.query.get('xsiType');
  if (!xsiType) throw new HttpError(417, 'Need PUT Contents');
  if (!/^xnat:[A-Za-z]+SessionData$/.test(xsiType)) throw new HttpError(400, `Unknown xsiType: ${xsiType}`);
  const date = checkedDate(field(ctx.query, 'date'));
  const subject =
    ctx.state.findSubject(project, ref.subject) ??
    ctx.state.createSubject(project, ref.subject, ctx.auth.username);
  const record = ctx.state.createExperiment(subject, ref.experiment, xsiType, date ?? '', ctx.auth.username);
  return { record, created: true };
}

function applyExperimentFields(ctx: RequestContext, experiment: ExperimentRecord): void {
  const xsiType = ctx.query.get('xsiType');
  if (xsiType !== null && xsiType !== experiment.xsiType) {
    throw new HttpError(409, `Experiment ${experiment.label} is a ${experiment.xsiType}, not a ${xsiType}`);
  }
  const date = checkedDate(field(ctx.query, 'date'));
  if (date !== null) experiment.date = date;
}

function checkedDate(value: string | null): string | null {
  if (value === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const valid = match && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && Number(match[2]) <= 12;
  if (!valid) throw new HttpError(400, `Invalid date: ${value} (expected YYYY-MM-DD)`);
  return value;
}

function experimentRow(e: ExperimentRecord): Row {
  return {
    ID: e.id,
    project: e.project.id,
    date: e.date,
    xsiType: e.xsiType,
    label: e.label,
    insert_date: e.insertDate,
    subject_ID: e.subject.id,
    subject_label: e.subject.label,
    URI: containerUri(e),
  };
}

// ---- scans and assessors ----------------------------------------------------------------------

export function listScans(ctx: RequestContext, ref: ExperimentRef): void {
  if (ctx.method !== 'GET') methodNotAllowed('GET');
  const experiment = resolveExperiment(ctx, ref);
  const rows = [...experiment.scans.values()].map((s) => ({ ...scanFields(s), URI: containerUri(s) }));
  sendResultSet(ctx, rows, { defaults: SCAN_COLUMNS, known: [...SCAN_COLUMNS, 'URI'], uri: true });
}

export async function scanRoute(ctx: RequestContext, ref: ExperimentRef, scanId: string): Promise<void> {
  const experiment = resolveExperiment(ctx, ref);
  if (ctx.method === 'GET') {
    const scan = experiment.scans.get(scanId);
    if (!scan) throw new HttpError(404, `Unable to find the specified scan: ${scanId}`);
    sendItem(ctx, scan.xsiType, scanFields(scan));
    return;
  }
  if (ctx.method !== 'PUT') methodNotAllowed('GET, PUT');
  await drain(ctx.req);
  requireEdit(ctx, experiment.project, 'scans');
  const xsiType = ctx.query.get('xsiType');
  if (xsiType !== null && !/^xnat:[A-Za-z]+ScanData$/.test(xsiType)) {
    throw new HttpError(400, `Unknown xsiType: ${xsiType}`);
  }
  const type = field(ctx.query, 'type');
  const description = field(ctx.query, 'series_description');
  const existing = experiment.scans.get(scanId);
  if (existing) {
    if (xsiType !== null && xsiType !== existing.xsiType) {
      throw new HttpError(
        409,
        `Scan ${scanId} is a ${existing.xsiType}; its xsiType cannot become ${xsiType}`,
      );
    }
    if (type !== null) existing.scanType = type;
    if (description !== null) existing.seriesDescription = description;
  } else {
    const derived = /^xnat:([A-Za-z]+)SessionData$/.exec(experiment.xsiType);
    const scanXsiType = xsiType ?? (derived ? `xnat:${derived[1]}ScanData` : null);
    if (!scanXsiType) {
      throw new HttpError(
        400,
        'Multiple scan modalities are possible for this session; retry with ?xsiType=...',
      );
    }
    ctx.state.createScan(experiment, scanId, {
      xsiType: scanXsiType,
      ...(type !== null ? { type } : {}),
      ...(description !== null ? { seriesDescription: description } : {}),
    });
  }
  sendText(ctx.res, 200, '');
}

export function listAssessors(ctx: RequestContext, ref: ExperimentRef): void {
  if (ctx.method !== 'GET') methodNotAllowed('GET');
  const experiment = resolveExperiment(ctx, ref);
  const rows = [...experiment.assessors.values()].map((a) => ({
    ID: a.id,
    label: a.label,
    xsiType: a.xsiType,
    project: experiment.project.id,
    URI: containerUri(a),
  }));
  const columns = ['ID', 'label', 'xsiType', 'project'];
  sendResultSet(ctx, rows, { defaults: columns, known: [...columns, 'URI'], uri: true });
}

export function assessorRoute(ctx: RequestContext, ref: ExperimentRef, label: string): void {
  if (ctx.method !== 'GET') throw new HttpError(501, 'Creating assessors is not emulated');
  const experiment = resolveExperiment(ctx, ref);
  const assessor =
    experiment.assessors.get(label) ?? [...experiment.assessors.values()].find((a) => a.id === label);
  if (!assessor) throw new HttpError(404, `Unable to find the specified assessor: ${label}`);
  sendItem(ctx, assessor.xsiType, {
    ID: assessor.id,
    label: assessor.label,
    imageSession_ID: experiment.id,
    project: experiment.project.id,
  });
}

function scanFields(s: ScanRecord): Row {
  return {
    xnat_imagescandata_id: String(s.dbId),
    ID: s.id,
    type: s.scanType,
    quality: s.quality,
    xsiType: s.xsiType,
    note: s.note,
    series_description: s.seriesDescription,
    image_session_ID: s.experiment.id,
  };
}

function scanItem(s: ScanRecord) {
  return { children: [], meta: { 'xsi:type': s.xsiType, isHistory: false }, data_fields: scanFields(s) };
}
