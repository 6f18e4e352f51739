import { CourierError } from '../../../../shared/errors';
import type { PutFileResult } from '../../clients/xnat/xnatClient';
import { untilAborted } from '../../runner/abortable';
import type { Delivery, Settlement, TargetAdapter, WorkItem } from '../../runner/adapters';
import { dicomItemMeta } from '../../sources/dicomFolder/itemMeta';
import { componentProblem } from '../../sources/xnat/safeExtract';
import type { DicomItemMeta } from '../../sources/dicomFolder/itemMeta';
import { digestFile } from '../folder/copyWithDigests';
import { BrokenCopies } from './brokenCopies';
import { checkDigest } from './digestCheck';
import { xnatTargetConfig } from './targetConfig';
import type { XnatTargetConfig } from './targetConfig';
import { fileUrl, uploadPlace } from './uploadPlace';
import type { UploadPlace } from './uploadPlace';
import { xnatConnection } from './xnatConnections';

const UPLOAD_OFF: Delivery = {
  status: 'skipped',
  reason: 'upload-off',
  message: 'Upload = N in the workbook; not sent.',
};

function whereItWent(place: UploadPlace): Record<string, unknown> {
  return {
    xnat: { project: place.project, subject: place.subject, experiment: place.experiment, scan: place.scan },
  };
}

/** XNAT's answer that part of the hierarchy is gone (deleted since this run created it). */
function isMissing(error: unknown): boolean {
  return (
    error instanceof CourierError &&
    ['xnat-resource-not-found', 'xnat-scan-not-found', 'xnat-experiment-not-found'].includes(error.code)
  );
}

function deliveryNote(result: PutFileResult, verify: boolean): { message?: string } {
  if (result.duplicate && result.verified)
    return { message: 'XNAT already had this file with the same MD5; nothing was replaced.' };
  if (result.duplicate)
    return { message: 'XNAT already had a file of this name and kept it (not verified).' };
  if (verify && !result.verified) return { message: 'Sent, but not verified: this XNAT keeps no checksums.' };
  return {};
}

/** Places worked out for items in flight: probe and deliver see the same item object. */
const placed = new WeakMap<WorkItem, { config: XnatTargetConfig; meta: DicomItemMeta; place: UploadPlace }>();

function placeOf(item: WorkItem, config: XnatTargetConfig): { meta: DicomItemMeta; place: UploadPlace } {
  const known = placed.get(item);
  if (known?.config === config) return known;
  if (!config.project) {
    throw new CourierError({
      code: 'xnat-config',
      message: 'No XNAT project is set for this batch: give one (--project, or Project in the workbook).',
    });
  }
  const meta = dicomItemMeta(item.meta, item.name);
  const result = { config, meta, place: uploadPlace(item, meta, config) };
  // A name XNAT would hand back in archives that Windows (and Courier's own download) must refuse.
  const problem = componentProblem(result.place.fileName);
  if (problem) {
    throw new CourierError({
      code: 'unsafe-name',
      message: `The file name ${JSON.stringify(result.place.fileName)} of ${item.path} cannot go to XNAT as it is: ${problem}. Rename the file and scan again, or skip it.`,
      attention: { reason: 'unsafe-name', actions: ['skip'] },
    });
  }
  placed.set(item, result);
  return result;
}

/**
 * An XNAT project as a target, for files a DICOM scan placed: subject → experiment → scan (ID = the
 * SeriesNumber) → resource, each created once, then one PUT per file whose MD5 is checked against the
 * digest XNAT lists. Before sending, the resource's listing is consulted: a file already there with the
 * same MD5 is done without being sent again, which makes re-runs and crash recovery safe.
 */
export const xnatTarget: TargetAdapter<XnatTargetConfig> = {
  kind: 'xnat',
  title: 'XNAT project',
  configSchema: xnatTargetConfig,
  label: (config) => `${config.server || '(no server yet)'} ${config.project || '(no project yet)'}`,
  host: (config) => (config.server ? new URL(config.server).host : null),

  async probe(item, file, config, ctx) {
    if (item.meta.upload === false) return UPLOAD_OFF;
    const { place } = placeOf(item, config);
    const connection = await untilAborted(xnatConnection(config.server, ctx.credentials), ctx.signal);
    const broken = new BrokenCopies(ctx.workDir);
    const own = await broken.has(place);
    // A copy of this batch's own whose check failed or did not end: what XNAT lists now, not a listing read before.
    const listed = await untilAborted(own ? connection.fresh(place) : connection.listed(place), ctx.signal);
    if (!listed) return null;
    const local = await digestFile(file.path, ctx.signal);
    const there = {
      target: fileUrl(config.server, place),
      md5: local.md5,
      sha1: local.sha1,
      size: local.size,
      meta: whereItWent(place),
    };
    if (listed.digest === local.md5) {
      if (own) await broken.remove(place);
      return {
        status: 'done',
        reason: 'already-there',
        message: 'Already in XNAT with the same MD5; not sent again.',
        ...there,
      };
    }
    if (listed.digest === null && listed.size === local.size) {
      if (own) await broken.remove(place);
      return {
        status: 'done',
        reason: 'already-there',
        message: 'Already in XNAT with the same name and size (the site keeps no checksums); not sent again.',
        ...there,
      };
    }
    if (config.overwrite || item.meta.approved !== undefined || own) return null;
    throw new CourierError({
      code: 'xnat-name-conflict',
      message:
        `XNAT already holds another file named ${place.fileName} in scan ${place.scan} of ${place.experiment}` +
        ` (its MD5 ${listed.digest ?? 'unknown'}, this file's ${local.md5}). Approve to replace it, or skip this file.`,
      attention: { reason: 'name-conflict', actions: ['approve', 'skip'] },
      detail: { serverDigest: listed.digest, localMd5: local.md5 },
    });
  },

  async deliver(item, file, config, ctx) {
    if (item.meta.upload === false) return UPLOAD_OFF;
    const { place } = placeOf(item, config);
    const connection = await untilAborted(xnatConnection(config.server, ctx.credentials), ctx.signal);
    const broken = new BrokenCopies(ctx.workDir);
    const replacing = await broken.has(place);
    const send = async (): Promise<PutFileResult> => {
      await untilAborted(connection.ensurePlace(place), ctx.signal);
      return connection.sendTo(place, () =>
        connection.client.putFile(
          file.path,
          {
            owner: {
              project: place.project,
              subject: place.subject,
              experiment: place.experiment,
              scan: place.scan,
            },
            resource: place.resource,
            name: place.fileName,
          },
          {
            overwrite: config.overwrite || item.meta.approved !== undefined || replacing,
            size: file.size,
            // Checked in `confirm` below.
            verify: false,
            signal: ctx.signal,
          },
        ),
      );
    };
    const sent = await send().catch(async (error: unknown) => {
      if (!isMissing(error)) throw error;
      connection.forget(place);
      return send();
    });
    const settle = async (result: PutFileResult): Promise<Settlement> => {
      if (replacing) await broken.remove(place);
      connection.remember(place, result.serverDigest ?? result.md5, result.size);
      return {
        status: 'done',
        ...(result.duplicate ? { reason: 'already-there' } : {}),
        ...deliveryNote(result, config.verify),
        target: fileUrl(config.server, place),
        md5: result.md5,
        size: result.size,
        meta: whereItWent(place),
      };
    };
    if (!config.verify) return settle(sent);
    return {
      status: 'done',
      // Checked with a listing that files finishing at the same time share; the slot goes to the next file.
      confirm: async () => {
        let checked: PutFileResult;
        try {
          // Outside the item's slot, but within the host's limits like every other request; the listing
          // is shared, so one file's cancellation must not cancel it for the others.
          const gate = <T>(read: () => Promise<T>) => ctx.hosts.run(xnatTarget.host(config), read);
          checked = await untilAborted(checkDigest(connection, place, sent, gate), ctx.signal);
        } catch (error) {
          // XNAT stored our PUT (it did not keep an earlier file instead) but the copy came back damaged, or
          // its check did not end: the copy is ours, to look at again and replace if need be on the next attempt.
          if (!sent.duplicate) {
            await broken.add(
              place,
              error instanceof CourierError && error.code === 'digest-mismatch'
                ? (error.detail ?? {})
                : { localMd5: sent.md5, unchecked: error instanceof CourierError ? error.code : 'error' },
            );
          }
          throw error;
        }
        return settle(checked);
      },
    };
  },
};
