import { downloadExperimentZip, downloadZip } from './xnatDownload';
import type { DownloadOptions, ExperimentZipRequest } from './xnatDownload';
import { listFiles, putFile } from './xnatFiles';
import type { PutFileOptions, PutFileResult, XnatFile } from './xnatFiles';
import {
  ensureExperiment,
  ensureResource,
  ensureScan,
  ensureSubject,
  findExperiment,
  findProject,
  listProjects,
  runExperimentAction,
} from './xnatHierarchy';
import type { ExperimentAction, XnatExperiment, XnatProject } from './xnatHierarchy';
import type { XnatFileTarget, XnatOwner } from './xnatPaths';
import { XnatSession } from './xnatSession';
import type { XnatConnectionOptions } from './xnatSession';

export type { DownloadOptions, DownloadProgress, ExperimentZipRequest } from './xnatDownload';
export type { PutFileResult, XnatFile } from './xnatFiles';
export type { ExperimentAction, XnatExperiment, XnatProject } from './xnatHierarchy';
export type { XnatFileTarget, XnatOwner } from './xnatPaths';
export type { XnatConnectionOptions } from './xnatSession';

/**
 * The XNAT client: one session (one login, cookie reused, one re-login on 401), hierarchy creation, verified
 * per-file uploads and streamed zip downloads. Every failure is a CourierError (see ./xnatErrors).
 */
export class XnatClient {
  readonly session: XnatSession;

  constructor(options: XnatConnectionOptions) {
    this.session = new XnatSession(options);
  }

  /** A client that has already logged in, so bad credentials show up at once (`xnat-auth`). */
  static async connect(options: XnatConnectionOptions): Promise<XnatClient> {
    const client = new XnatClient(options);
    await client.session.login();
    return client;
  }

  get server(): string {
    return this.session.server;
  }

  listProjects(access: 'read' | 'edit' = 'read'): Promise<XnatProject[]> {
    return listProjects(this.session, access);
  }

  /** A project by ID, alias or secondary ID. */
  findProject(key: string): Promise<XnatProject> {
    return findProject(this.session, key);
  }

  /** An experiment by label in a project, with its subject. */
  findExperiment(project: string, label: string): Promise<XnatExperiment> {
    return findExperiment(this.session, project, label);
  }

  ensureSubject(project: string, label: string): Promise<{ id: string; created: boolean }> {
    return ensureSubject(this.session, project, label);
  }

  ensureExperiment(target: {
    project: string;
    subject: string;
    label: string;
    xsiType: string;
    date?: string;
  }) {
    return ensureExperiment(this.session, target);
  }

  ensureScan(target: {
    project: string;
    subject: string;
    experiment: string;
    scan: string;
    xsiType?: string;
    type?: string;
    seriesDescription?: string;
  }): Promise<void> {
    return ensureScan(this.session, target);
  }

  ensureResource(owner: XnatOwner, label: string, options: { format?: string; content?: string } = {}) {
    return ensureResource(this.session, owner, label, options);
  }

  putFile(localPath: string, target: XnatFileTarget, options: PutFileOptions = {}): Promise<PutFileResult> {
    return putFile(this.session, localPath, target, options);
  }

  listFiles(owner: XnatOwner, resource: string): Promise<XnatFile[]> {
    return listFiles(this.session, owner, resource);
  }

  downloadExperimentZip(request: ExperimentZipRequest, destFile: string, options: DownloadOptions = {}) {
    return downloadExperimentZip(this.session, request, destFile, options);
  }

  /** Streams any `?format=zip` path to a file. */
  downloadZip(path: string, destFile: string, options: DownloadOptions = {}) {
    return downloadZip(this.session, path, destFile, options);
  }

  runExperimentAction(
    target: { project: string; subject: string; experiment: string },
    action: ExperimentAction,
  ) {
    return runExperimentAction(this.session, target, action);
  }

  pullDataFromHeaders(target: { project: string; subject: string; experiment: string }) {
    return runExperimentAction(this.session, target, 'pullDataFromHeaders');
  }

  fixScanTypes(target: { project: string; subject: string; experiment: string }) {
    return runExperimentAction(this.session, target, 'fixScanTypes');
  }

  triggerPipelines(target: { project: string; subject: string; experiment: string }) {
    return runExperimentAction(this.session, target, 'triggerPipelines');
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
