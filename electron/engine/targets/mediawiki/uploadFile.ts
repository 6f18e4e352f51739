import { isCourierError } from '../../../../shared/errors';
import { isAlreadyUploaded } from '../../clients/mediawiki';
import type { MediawikiClient, UploadResult } from '../../clients/mediawiki';
import type { Delivery, LocalFile, StepContext, WorkItem } from '../../runner/adapters';
import { fileSha1 } from './fileSha1';
import { filePageUrl } from './filePages';
import { alreadyThere, warningsOutcome } from './outcomes';
import { readStashNote, removeStashNote, writeStashNote } from './stashNotes';
import type { StashNote } from './stashNotes';
import type { MediawikiTargetConfig } from './targetConfig';
import { isApproved, uploadPlan } from './uploadPlan';

interface Texts {
  filename: string;
  text: string;
  comment: string;
  signal: AbortSignal;
}

/** Publishes stashed bytes with `ignorewarnings`; null when the wiki no longer has them. */
async function publishStashed(
  client: MediawikiClient,
  texts: Texts,
  filekey: string,
): Promise<UploadResult | null> {
  try {
    return await client.acceptStashed({ ...texts, filekey });
  } catch (err) {
    if (isCourierError(err) && err.code === 'wiki-stash' && !err.retryable) return null;
    throw err;
  }
}

/**
 * Sends one file: without `ignorewarnings` first (the wiki's own duplicate and name checks), in chunks
 * above the chunk size, continuing a chunked upload where the wiki stands after an interruption. For an
 * approved item, stashed bytes from an earlier warning are published by their filekey, not sent again.
 */
export async function uploadFile(
  item: WorkItem,
  file: LocalFile,
  config: MediawikiTargetConfig,
  ctx: StepContext,
  client: MediawikiClient,
): Promise<Delivery> {
  const plan = uploadPlan(item, config);
  const sha1 = await fileSha1(file, ctx.signal);
  const bytes = { sha1, size: file.size };
  const note = await readStashNote(ctx.workDir, item.id, bytes);
  const approved = isApproved(item.meta);
  const texts: Texts = { filename: plan.title, text: plan.text, comment: plan.comment, signal: ctx.signal };
  const remember = (kind: StashNote['kind'], filekey: string, offset: number) =>
    writeStashNote(ctx.workDir, item.id, { kind, filekey, offset, filename: plan.title, ...bytes });

  let result: UploadResult | null = null;
  if (note?.kind === 'stashed' && approved) result = await publishStashed(client, texts, note.filekey);
  if (!result) {
    result = await client.upload({
      ...texts,
      filePath: file.path,
      resumeFilekey: note?.filekey,
      onChunk: async (progress) => {
        await remember('chunks', progress.filekey, progress.offset);
        ctx.progress(progress.offset, progress.size);
      },
    });
    if (result.result === 'warning' && approved && !isAlreadyUploaded(result.warnings)) {
      result = await client.acceptStashed({ ...texts, filekey: result.filekey });
    }
  }

  const site = await client.siteInfo();
  const pageUrl = (name: string) => filePageUrl(site, config.api, name);
  if (result.result === 'warning') {
    await remember('stashed', result.filekey, file.size);
    const delivery = warningsOutcome(result.warnings, {
      api: config.api,
      title: plan.title,
      filekey: result.filekey,
      pageUrl,
    });
    await removeStashNote(ctx.workDir, item.id);
    return delivery;
  }
  await removeStashNote(ctx.workDir, item.id);
  if (result.result === 'unchanged') {
    return alreadyThere({ api: config.api, title: `File:${plan.title}`, url: pageUrl(plan.title) });
  }
  const url = result.file.descriptionUrl || pageUrl(result.filename);
  return {
    status: 'done',
    target: url,
    sha1: result.file.sha1 || sha1,
    size: result.file.size || file.size,
    message: `Uploaded as ${result.title}.`,
    meta: { wiki: { api: config.api, title: result.title, url } },
  };
}
