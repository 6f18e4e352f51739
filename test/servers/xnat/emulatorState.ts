import { randomBytes, randomUUID } from 'node:crypto';
import { openContent, md5OfContent, releaseContent } from './fileContent';
import type { ReceivedBody, StoredContent } from './fileContent';
import { fileKey, labelPath, today } from './emulatorModel';

export type {
  AliasToken,
  ContainerTarget,
  EmulatorStats,
  EmulatorUser,
  FileBody,
  ProjectSeed,
  RequestLogEntry,
  StoredFileView,
} from './emulatorModel';
import type {
  AliasToken,
  AssessorRecord,
  ContainerTarget,
  EmulatorStats,
  EmulatorUser,
  FileBody,
  ProjectSeed,
  RequestLogEntry,
  StoredFileView,
  ContainerRecord,
  ExperimentRecord,
  FileRecord,
  ProjectRecord,
  ProjectRole,
  ResourceRecord,
  ScanRecord,
  SubjectRecord,
} from './emulatorModel';

/** The emulator's in-memory archive, with seeding helpers and read-only views for tests. */
export class XnatEmulatorState {
  readonly users = new Map<string, EmulatorUser>();
  readonly tokens = new Map<string, AliasToken>();
  readonly projects = new Map<string, ProjectRecord>();
  readonly subjectsById = new Map<string, SubjectRecord>();
  readonly experimentsById = new Map<string, ExperimentRecord>();
  readonly stats: EmulatorStats = {
    requests: 0,
    connections: 0,
    sessionsCreated: 0,
    basicAuthRequests: 0,
    cookieAuthRequests: 0,
    unauthorized: 0,
    filePuts: 0,
    zipDownloads: 0,
    inFlight: 0,
    mostInFlight: 0,
  };
  readonly requestLog: RequestLogEntry[] = [];
  private readonly aliases = new Map<string, ProjectRecord>();
  private readonly defaultRoles = new Map<ProjectRecord, ProjectRole | null>();
  private readonly filesByKey = new Map<string, FileRecord>();
  private nextSubject = 1;
  private nextExperiment = 1;
  private nextResource = 1;
  private nextScanDbId = 1;
  private nextFileId = 1;

  constructor(
    readonly siteId: string,
    private readonly requestLogLimit: number,
  ) {}

  // ---- users, tokens, permissions -------------------------------------------------------------

  addUser(username: string, password: string): void {
    this.users.set(username, { username, password });
  }

  /** Issues an alias token usable as Basic credentials (`alias:secret`), as `/data/services/tokens/issue` does. */
  issueToken(username: string, lifetimeMs = 48 * 3600_000): AliasToken {
    if (!this.users.has(username)) throw new Error(`no user ${username}`);
    const token: AliasToken = {
      alias: randomUUID(),
      secret: randomBytes(24).toString('base64url'),
      username,
      created: Date.now(),
      expiresAt: Date.now() + lifetimeMs,
    };
    this.tokens.set(token.alias, token);
    return token;
  }

  roleOf(project: ProjectRecord, username: string): ProjectRole | null {
    return project.members.get(username) ?? this.defaultRoles.get(project) ?? null;
  }

  canSee(project: ProjectRecord, username: string): boolean {
    return this.roleOf(project, username) !== null || project.accessibility !== 'private';
  }

  canRead(project: ProjectRecord, username: string): boolean {
    return this.roleOf(project, username) !== null || project.accessibility === 'public';
  }

  canEdit(project: ProjectRecord, username: string): boolean {
    const role = this.roleOf(project, username);
    return role === 'owner' || role === 'member';
  }

  nextFileNumber(): number {
    return this.nextFileId++;
  }

  logRequest(entry: RequestLogEntry): void {
    // Dropping the oldest half at once keeps logging O(1) amortised on long runs.
    if (this.requestLog.length >= this.requestLogLimit)
      this.requestLog.splice(0, Math.ceil(this.requestLogLimit / 2));
    this.requestLog.push(entry);
  }

  // ---- lookups --------------------------------------------------------------------------------

  /** Project by ID, else by alias (XNAT's `getProjectByIDorAlias`); secondary IDs are not keys. */
  findProject(idOrAlias: string): ProjectRecord | undefined {
    return this.projects.get(idOrAlias) ?? this.aliases.get(idOrAlias);
  }

  findSubject(project: ProjectRecord, labelOrId: string): SubjectRecord | undefined {
    const byLabel = project.subjects.get(labelOrId);
    if (byLabel) return byLabel;
    const byId = this.subjectsById.get(labelOrId);
    return byId && byId.project === project ? byId : undefined;
  }

  findExperiment(project: ProjectRecord, labelOrId: string): ExperimentRecord | undefined {
    const byLabel = project.experiments.get(labelOrId);
    if (byLabel) return byLabel;
    const byId = this.experimentsById.get(labelOrId);
    return byId && byId.project === project ? byId : undefined;
  }

  // ---- creation (used by routes and by seeding) -----------------------------------------------

  addProject(seed: ProjectSeed): ProjectRecord {
    if (this.findProject(seed.id)) throw new Error(`project ${seed.id} exists`);
    const project: ProjectRecord = {
      type: 'project',
      id: seed.id,
      secondaryId: seed.secondaryId ?? seed.id,
      name: seed.name ?? seed.id,
      description: seed.description ?? '',
      aliases: seed.aliases ?? [],
      accessibility: seed.accessibility ?? 'private',
      members: new Map(Object.entries(seed.members ?? {})),
      subjects: new Map(),
      experiments: new Map(),
      resources: new Map(),
    };
    this.defaultRoles.set(project, seed.members ? null : 'owner');
    this.projects.set(project.id, project);
    for (const alias of project.aliases) this.aliases.set(alias, project);
    return project;
  }

  createSubject(project: ProjectRecord, label: string, username: string, group = ''): SubjectRecord {
    const subject: SubjectRecord = {
      type: 'subject',
      id: `${this.siteId}_S${String(this.nextSubject++).padStart(5, '0')}`,
      label,
      group,
      insertDate: new Date().toISOString().replace('T', ' ').slice(0, 19),
      insertUser: username,
      project,
      experiments: new Map(),
      resources: new Map(),
    };
    project.subjects.set(label, subject);
    this.subjectsById.set(subject.id, subject);
    return subject;
  }

  createExperiment(
    subject: SubjectRecord,
    label: string,
    xsiType: string,
    date: string,
    username: string,
  ): ExperimentRecord {
    const experiment: ExperimentRecord = {
      type: 'experiment',
      id: this.newExperimentId(),
      label,
      xsiType,
      date,
      insertDate: new Date().toISOString().replace('T', ' ').slice(0, 19),
      insertUser: username,
      project: subject.project,
      subject,
      scans: new Map(),
      assessors: new Map(),
      resources: new Map(),
      actions: [],
    };
    subject.experiments.set(label, experiment);
    subject.project.experiments.set(label, experiment);
    this.experimentsById.set(experiment.id, experiment);
    return experiment;
  }

  createScan(
    experiment: ExperimentRecord,
    id: string,
    fields: { type?: string; xsiType: string; seriesDescription?: string },
  ): ScanRecord {
    const scan: ScanRecord = {
      type: 'scan',
      dbId: this.nextScanDbId++,
      id,
      scanType: fields.type ?? '',
      xsiType: fields.xsiType,
      seriesDescription: fields.seriesDescription ?? '',
      quality: 'usable',
      note: '',
      experiment,
      resources: new Map(),
    };
    experiment.scans.set(id, scan);
    return scan;
  }

  createAssessor(experiment: ExperimentRecord, label: string, xsiType: string): AssessorRecord {
    const assessor: AssessorRecord = {
      type: 'assessor',
      id: this.newExperimentId(),
      label,
      xsiType,
      experiment,
      resources: new Map(),
    };
    experiment.assessors.set(label, assessor);
    return assessor;
  }

  createResource(
    owner: ContainerRecord,
    label: string,
    format = '',
    content = '',
    tags = '',
  ): ResourceRecord {
    const resource: ResourceRecord = {
      id: this.nextResource++,
      label,
      format,
      content,
      tags,
      files: new Map(),
      owner,
    };
    owner.resources.set(label, resource);
    return resource;
  }

  /** Stores a received body as `relPath` in `resource`, replacing any earlier bytes. */
  async storeFile(resource: ResourceRecord, relPath: string, body: ReceivedBody, digestOverride?: string) {
    const existing = resource.files.get(relPath);
    if (existing) {
      if (existing.reportedDigest !== existing.md5) existing.repairs += 1;
      await releaseContent(existing.content);
      existing.content = body.content;
      existing.size = body.size;
      existing.md5 = body.md5;
      existing.reportedDigest = digestOverride ?? body.md5;
      existing.writes += 1;
      return existing;
    }
    const file: FileRecord = {
      relPath,
      content: body.content,
      size: body.size,
      md5: body.md5,
      reportedDigest: digestOverride ?? body.md5,
      puts: 0,
      writes: 1,
      repairs: 0,
      resource,
    };
    resource.files.set(relPath, file);
    this.filesByKey.set(fileKey(file), file);
    return file;
  }

  async deleteFile(file: FileRecord): Promise<void> {
    file.resource.files.delete(file.relPath);
    this.filesByKey.delete(fileKey(file));
    await releaseContent(file.content);
  }

  async deleteResource(resource: ResourceRecord): Promise<void> {
    for (const file of [...resource.files.values()]) await this.deleteFile(file);
    resource.owner.resources.delete(resource.label);
  }

  // ---- seeding by labels ----------------------------------------------------------------------

  addSubject(projectId: string, label: string): SubjectRecord {
    const project = this.requireProject(projectId);
    return this.findSubject(project, label) ?? this.createSubject(project, label, 'seed');
  }

  addExperiment(
    projectId: string,
    subjectLabel: string,
    label: string,
    fields: { xsiType?: string; date?: string } = {},
  ): ExperimentRecord {
    const subject = this.addSubject(projectId, subjectLabel);
    return this.createExperiment(
      subject,
      label,
      fields.xsiType ?? 'xnat:mrSessionData',
      fields.date ?? today(),
      'seed',
    );
  }

  addScan(
    projectId: string,
    experimentLabel: string,
    scanId: string,
    fields: { type?: string; xsiType?: string; seriesDescription?: string } = {},
  ): ScanRecord {
    const experiment = this.requireExperiment(projectId, experimentLabel);
    return this.createScan(experiment, scanId, {
      ...fields,
      xsiType: fields.xsiType ?? experiment.xsiType.replace(/SessionData$/, 'ScanData'),
    });
  }

  addAssessor(projectId: string, experimentLabel: string, label: string, xsiType = 'xnat:qcAssessmentData') {
    return this.createAssessor(this.requireExperiment(projectId, experimentLabel), label, xsiType);
  }

  addResource(target: ContainerTarget, label: string, format = ''): ResourceRecord {
    const owner = this.resolveTarget(target);
    return owner.resources.get(label) ?? this.createResource(owner, label, format);
  }

  /** Seeds a file; `{size, seed}` makes incompressible bytes generated on demand (no memory held). */
  async addFile(
    target: ContainerTarget,
    resourceLabel: string,
    relPath: string,
    body: FileBody,
  ): Promise<FileRecord> {
    const resource = this.addResource(target, resourceLabel);
    const content: StoredContent =
      typeof body === 'string'
        ? { kind: 'memory', data: Buffer.from(body) }
        : Buffer.isBuffer(body)
          ? { kind: 'memory', data: body }
          : { kind: 'generated', size: body.size, seed: body.seed };
    const { md5, size } = await md5OfContent(content);
    return this.storeFile(resource, relPath, { content, md5, size });
  }

  // ---- inspection -----------------------------------------------------------------------------

  /** Every stored file with its digest and how often it was PUT (walks the store: for assertions only). */
  storedFiles(): StoredFileView[] {
    return [...this.filesByKey.values()].map((file) => this.view(file));
  }

  /** One stored file by its label path `P/S/E/scans/3/DICOM/name` (O(1)). */
  storedFile(key: string): StoredFileView | undefined {
    const file = this.filesByKey.get(key);
    return file ? this.view(file) : undefined;
  }

  get fileCount(): number {
    return this.filesByKey.size;
  }

  async readStoredFile(key: string): Promise<Buffer> {
    const file = this.filesByKey.get(key);
    if (!file) throw new Error(`no stored file ${key}`);
    const chunks: Buffer[] = [];
    for await (const chunk of openContent(file.content)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  experiment(projectId: string, label: string): ExperimentRecord | undefined {
    const project = this.findProject(projectId);
    return project ? this.findExperiment(project, label) : undefined;
  }

  // ---- internals ------------------------------------------------------------------------------

  private newExperimentId(): string {
    return `${this.siteId}_E${String(this.nextExperiment++).padStart(5, '0')}`;
  }

  private requireProject(projectId: string): ProjectRecord {
    const project = this.findProject(projectId);
    if (!project) throw new Error(`no project ${projectId}`);
    return project;
  }

  private requireExperiment(projectId: string, label: string): ExperimentRecord {
    const experiment = this.findExperiment(this.requireProject(projectId), label);
    if (!experiment) throw new Error(`no experiment ${label} in ${projectId}`);
    return experiment;
  }

  private resolveTarget(target: ContainerTarget): ContainerRecord {
    const project = this.requireProject(target.project);
    if (target.experiment === undefined) {
      if (target.subject === undefined) return project;
      const subject = this.findSubject(project, target.subject);
      if (!subject) throw new Error(`no subject ${target.subject}`);
      return subject;
    }
    const experiment = this.requireExperiment(target.project, target.experiment);
    if (target.scan !== undefined) {
      const scan = experiment.scans.get(target.scan);
      if (!scan) throw new Error(`no scan ${target.scan} in ${target.experiment}`);
      return scan;
    }
    if (target.assessor !== undefined) {
      const assessor = experiment.assessors.get(target.assessor);
      if (!assessor) throw new Error(`no assessor ${target.assessor} in ${target.experiment}`);
      return assessor;
    }
    return experiment;
  }

  private view(file: FileRecord): StoredFileView {
    const owner = file.resource.owner;
    const experiment =
      owner.type === 'experiment'
        ? owner
        : owner.type === 'scan' || owner.type === 'assessor'
          ? owner.experiment
          : null;
    return {
      key: fileKey(file),
      project: labelPath(owner).split('/')[0] ?? '',
      ...(owner.type === 'subject' ? { subject: owner.label } : {}),
      ...(experiment ? { subject: experiment.subject.label, experiment: experiment.label } : {}),
      ...(owner.type === 'scan' ? { scan: owner.id } : {}),
      ...(owner.type === 'assessor' ? { assessor: owner.label } : {}),
      resource: file.resource.label,
      path: file.relPath,
      size: file.size,
      md5: file.md5,
      digest: file.reportedDigest,
      puts: file.puts,
      writes: file.writes,
      repairs: file.repairs,
    };
  }
}
