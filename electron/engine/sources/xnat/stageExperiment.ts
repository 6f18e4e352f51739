import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CourierError } from '../../../../shared/errors';
import { XnatClient } from '../../clients/xnat/xnatClient';
import { untilAborted } from '../../runner/abortable';
import type { ExperimentZipRequest } from '../../clients/xnat/xnatClient';
import { backoffDelay } from '../../runner/backoff';
import type { BackoffPolicy } from '../../runner/backoff';
import type { StepContext } from '../../runner/adapters';
import type { DownloadStaging, ResolvedExperiment, StagingManifest } from './downloadStaging';
import { commonRoot } from './experimentEntries';
import type { DownloadKind } from './experimentEntries';
import { safeExtract } from './safeExtract';

export interface ExperimentRequest {
  server: string;
  project: string;
  accession: string;
  type: DownloadKind;
  resource: string;
}

/**
 * The runner retries items, not a source's listing; a zip cut off halfway (a proxy timeout, a reset) is
 * worth a few fresh attempts before the whole batch stops.
 */
export const ZIP_RETRY: BackoffPolicy & { attempts: number } = {
  attempts: 4,
  baseMs: 1_000,
  capMs: 30_000,
  maxRetryAfterMs: 5 * 60_000,
};

/** Logs in to XNAT with the batch's credentials (`xnat-auth` on a 401). */
export async function connect(server: string, ctx: StepContext): Promise<XnatClient> {
  const login = await ctx.credentials('xnat', server);
  // A cancel does not wait for a server that never answers the log-in.
  return untilAborted(
    XnatClient.connect({ server, username: login.user, password: login.password }),
    ctx.signal,
  );
}

/**
 * Finds the project (ID, alias or secondary ID) and the experiment (by label), streams the zip of the
 * chosen resource into the work folder, extracts it safely (into `files/`, by path inside the experiment),
 * records the manifest and deletes the zip. A 404 names what is missing: the project, the experiment, or the resource type.
 */
export async function stageExperiment(
  request: ExperimentRequest,
  staging: DownloadStaging,
  ctx: StepContext,
): Promise<StagingManifest> {
  await staging.clear();
  const client = await connect(request.server, ctx);
  let experiment: ResolvedExperiment;
  try {
    const project = await untilAborted(client.findProject(request.project), ctx.signal);
    const found = await untilAborted(client.findExperiment(project.id, request.accession), ctx.signal);
    experiment = { project: project.id, subject: found.subjectId, label: found.label };
    await downloadWithRetries(
      client,
      {
        project: experiment.project,
        subject: experiment.subject,
        experiment: experiment.label,
        kind: request.type,
        resource: request.resource,
      },
      staging.zipFile,
      ctx,
    );
  } finally {
    await client.close();
  }
  try {
    const { files } = await safeExtract({
      zipPath: staging.zipFile,
      parentDir: staging.dir,
      folderName: 'staged',
      existing: 'replace',
      signal: ctx.signal,
      sha1: true,
    });
    const root = commonRoot(files.map((f) => f.path));
    // The zip's top folder is the session's name on the server; the output folder is named by the operator.
    await rename(root ? path.join(staging.extractDir, root) : staging.extractDir, staging.filesDir);
    await rm(staging.extractDir, { recursive: true, force: true });
    const manifest: StagingManifest = {
      version: 1,
      experiment,
      files: files.map((f) => ({
        key: root ? f.path.slice(root.length + 1) : f.path,
        size: f.size,
        md5: f.md5,
        sha1: f.sha1,
      })),
    };
    await staging.saveManifest(manifest);
    return manifest;
  } finally {
    await rm(staging.zipFile, { force: true });
  }
}

async function downloadWithRetries(
  client: XnatClient,
  request: ExperimentZipRequest,
  zipFile: string,
  ctx: StepContext,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.downloadExperimentZip(request, zipFile, {
        signal: ctx.signal,
        onProgress: (p) => ctx.progress(p.bytes, p.totalBytes),
      });
      return;
    } catch (err) {
      if (!(err instanceof CourierError) || !err.retryable) throw err;
      if (attempt >= ZIP_RETRY.attempts) {
        throw new CourierError({
          code: err.code,
          message: `${err.message} — gave up after ${attempt} attempts; run the batch again to start over`,
          retryable: true,
          detail: err.detail,
          cause: err,
        });
      }
      await ctx.clock.sleep(backoffDelay(attempt, err.retryAfterMs, Math.random, ZIP_RETRY), ctx.signal);
    }
  }
}
