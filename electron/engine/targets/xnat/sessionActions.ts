import type { XnatClient } from '../../clients/xnat/xnatClient';
import type { SessionAction } from './targetConfig';

export interface ExperimentRef {
  project: string;
  subject: string;
  experiment: string;
}

/** The experiments that received files, from the items' `meta.xnat` (written by the XNAT target). */
export function experimentsOf(
  items: Iterable<{ status: string; meta: Record<string, unknown> }>,
): ExperimentRef[] {
  const found = new Map<string, ExperimentRef>();
  for (const item of items) {
    if (item.status !== 'done') continue;
    const xnat = item.meta.xnat as Partial<ExperimentRef> | undefined;
    if (!xnat?.project || !xnat.subject || !xnat.experiment) continue;
    const key = `${xnat.project}/${xnat.subject}/${xnat.experiment}`;
    if (!found.has(key))
      found.set(key, { project: xnat.project, subject: xnat.subject, experiment: xnat.experiment });
  }
  return [...found.values()];
}

export interface SessionActionReport {
  requested: number;
  failures: { experiment: string; action: SessionAction; message: string }[];
}

/**
 * Asks XNAT to run the given actions on each experiment, in xnatuploader's order (pullDataFromHeaders,
 * fixScanTypes, triggerPipelines). A failure is reported and the others still run: the files are in
 * XNAT either way, and the actions can be requested again from XNAT's own pages.
 */
export async function runSessionActions(
  client: XnatClient,
  experiments: readonly ExperimentRef[],
  actions: readonly SessionAction[],
): Promise<SessionActionReport> {
  const report: SessionActionReport = { requested: 0, failures: [] };
  const order: SessionAction[] = ['pullDataFromHeaders', 'fixScanTypes', 'triggerPipelines'];
  for (const experiment of experiments) {
    for (const action of order.filter((a) => actions.includes(a))) {
      try {
        await client.runExperimentAction(experiment, action);
        report.requested++;
      } catch (error) {
        report.failures.push({
          experiment: experiment.experiment,
          action,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return report;
}
