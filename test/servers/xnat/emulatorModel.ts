import type { StoredContent } from './fileContent';

/** The records the emulator keeps: XNAT's project → subject → experiment → scan/assessor → resource → file. */

export type ProjectRole = 'owner' | 'member' | 'collaborator';
export type Accessibility = 'private' | 'protected' | 'public';

export interface FileRecord {
  /** Path inside the resource (`a/b.dcm`); `Name` in listings is its last component. */
  relPath: string;
  content: StoredContent;
  size: number;
  md5: string;
  /** What the listing reports as `digest`: `md5` unless a wrong-digest fault replaced it. */
  reportedDigest: string;
  /** PUT/POST requests that reached this file, duplicates included. */
  puts: number;
  /** Times its bytes were (re)written. */
  writes: number;
  /** Rewrites that replaced a copy listed with a wrong digest (a client repairing what a fault damaged). */
  repairs: number;
  resource: ResourceRecord;
}

export interface ResourceRecord {
  /** `xnat_abstractresource_id`, unique across the site. */
  id: number;
  label: string;
  format: string;
  content: string;
  tags: string;
  files: Map<string, FileRecord>;
  owner: ContainerRecord;
}

export interface ProjectRecord {
  type: 'project';
  id: string;
  secondaryId: string;
  name: string;
  description: string;
  aliases: string[];
  accessibility: Accessibility;
  /** Role per user name; users without one see the project only if it is public or protected. */
  members: Map<string, ProjectRole>;
  subjects: Map<string, SubjectRecord>;
  experiments: Map<string, ExperimentRecord>;
  resources: Map<string, ResourceRecord>;
}

export interface SubjectRecord {
  type: 'subject';
  id: string;
  label: string;
  group: string;
  insertDate: string;
  insertUser: string;
  project: ProjectRecord;
  experiments: Map<string, ExperimentRecord>;
  resources: Map<string, ResourceRecord>;
}

export interface ExperimentRecord {
  type: 'experiment';
  id: string;
  label: string;
  xsiType: string;
  date: string;
  insertDate: string;
  insertUser: string;
  project: ProjectRecord;
  subject: SubjectRecord;
  scans: Map<string, ScanRecord>;
  assessors: Map<string, AssessorRecord>;
  resources: Map<string, ResourceRecord>;
  /** `pullDataFromHeaders`, `fixScanTypes`, `triggerPipelines` requests, in order. */
  actions: string[];
}

export interface ScanRecord {
  type: 'scan';
  /** `xnat_imagescandata_id`. */
  dbId: number;
  id: string;
  scanType: string;
  xsiType: string;
  seriesDescription: string;
  quality: string;
  note: string;
  experiment: ExperimentRecord;
  resources: Map<string, ResourceRecord>;
}

export interface AssessorRecord {
  type: 'assessor';
  id: string;
  label: string;
  xsiType: string;
  experiment: ExperimentRecord;
  resources: Map<string, ResourceRecord>;
}

export type ContainerRecord = ProjectRecord | SubjectRecord | ExperimentRecord | ScanRecord | AssessorRecord;

export interface EmulatorUser {
  username: string;
  password: string;
}

export interface AliasToken {
  alias: string;
  secret: string;
  username: string;
  created: number;
  expiresAt: number;
}

export interface ProjectSeed {
  id: string;
  secondaryId?: string;
  name?: string;
  description?: string;
  aliases?: string[];
  accessibility?: Accessibility;
  /** Role per user; when omitted every user is an owner. */
  members?: Record<string, ProjectRole>;
}

/** Where a seeded resource or file lives, by labels (scan by ID). */
export interface ContainerTarget {
  project: string;
  subject?: string;
  experiment?: string;
  scan?: string;
  assessor?: string;
}

export type FileBody = Buffer | string | { size: number; seed: string };

/** What tests see of one stored file. */
export interface StoredFileView {
  key: string;
  project: string;
  subject?: string;
  experiment?: string;
  scan?: string;
  assessor?: string;
  resource: string;
  path: string;
  size: number;
  md5: string;
  /** The digest the listing reports (differs from `md5` after a wrong-digest fault). */
  digest: string;
  puts: number;
  writes: number;
  /** Rewrites that replaced a copy listed with a wrong digest: not a file stored twice. */
  repairs: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  auth: 'basic' | 'cookie' | 'none';
  userAgent: string;
  fault?: string;
}

export interface EmulatorStats {
  requests: number;
  /** TCP connections accepted (keep-alive clients reuse a few). */
  connections: number;
  /** Sessions created, by `POST /data/JSESSION` or by any Basic-authenticated request. */
  sessionsCreated: number;
  basicAuthRequests: number;
  cookieAuthRequests: number;
  unauthorized: number;
  filePuts: number;
  zipDownloads: number;
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight: number;
  mostInFlight: number;
}

export function projectOf(container: ContainerRecord): ProjectRecord {
  switch (container.type) {
    case 'project':
      return container;
    case 'subject':
    case 'experiment':
      return container.project;
    case 'scan':
    case 'assessor':
      return container.experiment.project;
  }
}

/** The canonical archive path of a container, by IDs, as XNAT writes `URI` columns. */
export function containerUri(container: ContainerRecord): string {
  switch (container.type) {
    case 'project':
      return `/data/projects/${enc(container.id)}`;
    case 'subject':
      return `/data/subjects/${enc(container.id)}`;
    case 'experiment':
      return `/data/experiments/${enc(container.id)}`;
    case 'scan':
      return `/data/experiments/${enc(container.experiment.id)}/scans/${enc(container.id)}`;
    case 'assessor':
      return `/data/experiments/${enc(container.experiment.id)}/assessors/${enc(container.id)}`;
  }
}

/** The label path used as a key for inspection (`P/S/E/scans/3/DICOM/name`). */
export function fileKey(file: FileRecord): string {
  return `${labelPath(file.resource.owner)}/${file.resource.label}/${file.relPath}`;
}

export function labelPath(container: ContainerRecord): string {
  switch (container.type) {
    case 'project':
      return container.id;
    case 'subject':
      return `${container.project.id}/${container.label}`;
    case 'experiment':
      return `${container.project.id}/${container.subject.label}/${container.label}`;
    case 'scan':
      return `${labelPath(container.experiment)}/scans/${container.id}`;
    case 'assessor':
      return `${labelPath(container.experiment)}/assessors/${container.label}`;
  }
}

export function enc(segment: string): string {
  return encodeURIComponent(segment);
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
