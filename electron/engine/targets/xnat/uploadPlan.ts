import { CourierError } from '../../../../shared/errors';
import { dicomItemMeta } from '../../sources/dicomFolder/itemMeta';
import type { XnatTargetConfig } from './targetConfig';
import { uploadPlace } from './uploadPlace';

export interface PlannedScan {
  id: string;
  type: string;
  files: number;
  bytes: number;
}

export interface PlannedExperiment {
  subject: string;
  label: string;
  xsiType: string;
  date: string | null;
  scans: PlannedScan[];
}

/** What an upload would create and send, without contacting XNAT (`--dry-run`). */
export interface UploadPlan {
  subjects: number;
  experiments: PlannedExperiment[];
  files: number;
  bytes: number;
  /** Files that could not be placed, and why. */
  problems: { name: string; message: string }[];
}

/** Places every file to send and groups them by subject, experiment and scan. */
export function planUpload(
  items: Iterable<{ name: string; path: string; size: number | null; meta: Record<string, unknown> }>,
  config: XnatTargetConfig,
): UploadPlan {
  const experiments = new Map<string, PlannedExperiment & { byScan: Map<string, PlannedScan> }>();
  const subjects = new Set<string>();
  const plan: UploadPlan = { subjects: 0, experiments: [], files: 0, bytes: 0, problems: [] };
  for (const item of items) {
    if (item.meta.upload === false) continue;
    let place;
    try {
      place = uploadPlace(item, dicomItemMeta(item.meta, item.name), config);
    } catch (error) {
      if (!(error instanceof CourierError)) throw error;
      plan.problems.push({ name: item.name, message: error.message });
      continue;
    }
    subjects.add(place.subject);
    const key = `${place.subject}/${place.experiment}`;
    let experiment = experiments.get(key);
    if (!experiment) {
      experiment = {
        subject: place.subject,
        label: place.experiment,
        xsiType: place.xsiType,
        date: place.date ?? null,
        scans: [],
        byScan: new Map(),
      };
      experiments.set(key, experiment);
    }
    let scan = experiment.byScan.get(place.scan);
    if (!scan) {
      scan = { id: place.scan, type: place.scanType, files: 0, bytes: 0 };
      experiment.byScan.set(place.scan, scan);
      experiment.scans.push(scan);
    }
    scan.files++;
    scan.bytes += item.size ?? 0;
    plan.files++;
    plan.bytes += item.size ?? 0;
  }
  plan.subjects = subjects.size;
  plan.experiments = [...experiments.values()].map(({ byScan: _byScan, ...experiment }) => experiment);
  return plan;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The plan as lines a person reads: one per experiment and scan, then the totals. */
export function describePlan(plan: UploadPlan, config: XnatTargetConfig): string[] {
  const lines = [
    `Would upload to ${config.server || '(no server)'} project ${config.project || '(no project)'}:`,
  ];
  for (const e of plan.experiments) {
    const date = e.date ? `, date ${e.date}` : '';
    lines.push(`  subject ${e.subject} / experiment ${e.label} (${e.xsiType}${date})`);
    for (const s of e.scans) {
      lines.push(
        `    scan ${s.id} type ${s.type}, resource ${config.resource}: ${s.files} file(s), ${megabytes(s.bytes)}`,
      );
    }
  }
  lines.push(
    `${plan.files} file(s), ${megabytes(plan.bytes)}, in ${plan.experiments.length} experiment(s) of ${plan.subjects} subject(s).`,
  );
  for (const p of plan.problems) lines.push(`  cannot place ${p.name}: ${p.message}`);
  return lines;
}
