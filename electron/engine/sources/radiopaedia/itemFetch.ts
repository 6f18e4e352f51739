// Fetching: an image item downloads its full-size file with the browser context's cookies (the case page's);
// a case item reads its case again.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CourierError } from '../../../../shared/errors';
import type { LocalFile, StepContext, WorkItem } from '../../runner/adapters';
import { bmpToPng } from './bmpToPng';
import type { BrowserSession, PageTurnOptions } from './browserSession';
import type { CaseItemMeta, ImageItemMeta, LicenceCheck } from './caseItems';
import { caseSummary, imageDrafts, withRealExtension } from './caseItems';
import { takeListingError } from './caseListing';
import { downloadImage } from './downloadImage';
import type { DownloadedImage } from './downloadImage';
import { extractCase } from './extractCase';
import { isExpectedLicence } from './licence';
import type { RadiopaediaSourceConfig } from './sourceConfig';
import { allowedFormatsOf, expectedLicencesOf } from './sourceConfig';
import type { RadiopaediaCase } from './types';

/** A step context whose runner can add items while the batch runs (a case read again lists its images). */

function temporaryFile(filePath: string, size: number, sha1: string, md5?: string): LocalFile {
  return {
    path: filePath,
    size,
    sha1,
    ...(md5 ? { md5 } : {}),
    temporary: true,
    release: () => rm(filePath, { force: true }),
  };
}

function licenceAttention(meta: ImageItemMeta): CourierError | null {
  const problem = meta.licence.problem;
  if (!problem || meta.licence.approved) return null;
  return new CourierError({
    code: problem.code,
    message: problem.message,
    attention: { reason: problem.reason, actions: ['approve', 'open-in-browser', 'skip'] },
    detail: { licenseUrl: meta.licence.url, rid: meta.case.rid },
  });
}

/**
 * Downloads of one batch share a read of the browser's cookies for this long: a cookie that changed
 * meanwhile sends a download to sign-in, which reads them again and reloads the case page.
 */
const COOKIE_REUSE_MS = 1_000;

async function downloadWithCookie(
  session: BrowserSession,
  meta: ImageItemMeta,
  dest: string,
  config: RadiopaediaSourceConfig,
  turn: PageTurnOptions,
): Promise<DownloadedImage> {
  const download = async () => {
    const context = await session.context();
    return downloadImage(context, meta.image.fullUrl, dest, {
      allowedFormats: allowedFormatsOf(config),
      referer: meta.case.url,
      reuseCookiesMs: COOKIE_REUSE_MS,
      inPlace: true,
      ...(session.userAgent ? { userAgent: session.userAgent } : {}),
    });
  };
  await session.ensureVisited(meta.case.url, turn);
  try {
    return await download();
  } catch (err) {
    // A session that expired sends the download to sign-in: load the case page once more, then try again.
    if (!(err instanceof CourierError) || err.code !== 'sign-in-required') throw err;
    session.forget(meta.case.url);
    await session.ensureVisited(meta.case.url, turn);
    return download();
  }
}

/** A kept file of a format that is not allowed: converted when the operator asked, otherwise the decision. */
async function notAllowed(err: CourierError, convert: boolean): Promise<LocalFile> {
  const kept = typeof err.detail?.['path'] === 'string' ? err.detail['path'] : null;
  const ext = err.detail?.['ext'];
  if (ext === 'bmp' && convert && kept) {
    const png = bmpToPng(await readFile(kept));
    const target = withRealExtension(kept, 'png');
    await writeFile(target, png);
    await rm(kept, { force: true });
    return temporaryFile(target, png.length, createHash('sha1').update(png).digest('hex'));
  }
  if (kept) await rm(kept, { force: true });
  if (ext === 'bmp') throw err;
  // Only bitmaps can be converted here: the decision left is to skip the file.
  throw new CourierError({
    code: err.code,
    message: err.message.replace(/; convert it to PNG or skip it\.$/, '; skip it.'),
    attention: { reason: err.attention?.reason ?? 'format-not-allowed', actions: ['skip'] },
    detail: err.detail,
  });
}

/**
 * Downloads the full-size file of an image item into the batch's work folder. The item's name gets the
 * extension of the real format (the folder target files it under that name).
 */
export async function fetchImage(
  item: WorkItem,
  meta: ImageItemMeta,
  session: BrowserSession,
  config: RadiopaediaSourceConfig,
  ctx: StepContext,
): Promise<LocalFile> {
  const licence = item.meta['approved'] ? null : licenceAttention(meta);
  if (licence) throw licence;
  const turn = { delayMs: config.delayMs, clock: ctx.clock, signal: ctx.signal };
  const dest = path.join(ctx.workDir, 'radiopaedia', String(meta.case.rid), String(meta.image.id));
  let file: LocalFile;
  let ext: string;
  try {
    const got = await downloadWithCookie(session, meta, dest, config, turn);
    file = temporaryFile(got.path, got.size, got.sha1, got.md5);
    ext = got.ext;
  } catch (err) {
    if (!(err instanceof CourierError) || err.code !== 'format-not-allowed') throw err;
    file = await notAllowed(err, item.meta['convert'] === true);
    ext = 'png';
  }
  item.name = withRealExtension(item.name, ext);
  ctx.progress(file.size, file.size);
  return file;
}

/** The licence of a case read again: a problem the operator approved on the case item stays on record. */
function approvedLicence(c: RadiopaediaCase, approved: boolean, expected: readonly string[]): LicenceCheck {
  const fine = c.licenseUrl !== null && isExpectedLicence(c.licenseUrl, expected);
  if (!approved || fine) return { url: c.licenseUrl, problem: null, approved: false };
  const code = c.licenseUrl ? 'licence-unexpected' : 'licence-missing';
  return {
    url: c.licenseUrl,
    problem: {
      code,
      reason: code,
      message: `Case ${c.rid}: licence approved by an operator on the case item.`,
    },
    approved: true,
  };
}

/**
 * Reads a case that could not be listed before. Where the runner can add items, its images join the
 * batch and the case item delivers the case's JSON record; otherwise the operator is told to archive the
 * case in a new batch.
 */
export async function fetchCase(
  item: WorkItem,
  meta: CaseItemMeta,
  session: BrowserSession,
  config: RadiopaediaSourceConfig,
  ctx: StepContext,
): Promise<LocalFile> {
  const first = takeListingError(ctx.workDir, item.key);
  if (first) throw first;
  const approved = Boolean(item.meta['approved']);
  const turn = { delayMs: config.delayMs, clock: ctx.clock, signal: ctx.signal };
  const c = await session.withPage(turn, (page) =>
    extractCase(page, meta.url, {
      site: config.site,
      expectedLicences: expectedLicencesOf(config),
      checkLicence: !approved,
    }),
  );
  session.markVisited(c.url);
  const drafts = imageDrafts(c, approvedLicence(c, approved, expectedLicencesOf(config)));
  ctx.addItems(drafts);
  const record = Buffer.from(`${JSON.stringify({ ...caseSummary(c), licenseUrl: c.licenseUrl }, null, 2)}\n`);
  const dir = path.join(ctx.workDir, 'radiopaedia');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `case-${c.rid}-${randomUUID().slice(0, 8)}.json`);
  await writeFile(file, record);
  return temporaryFile(file, record.length, createHash('sha1').update(record).digest('hex'));
}
