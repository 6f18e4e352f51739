/**
 * What the "Download from XNAT" form asks of a saved XNAT connection before it creates a batch:
 * the projects the user can read, the experiments of a project (by label) and what an experiment holds.
 */
import { z } from 'zod';

const connectionId = z.string().min(1).max(100);
const project = z.string().trim().min(1).max(200);

/** Most experiments one search returns; the form asks to narrow the search beyond that. */
export const XNAT_EXPERIMENTS_MAX = 200;

export const xnatDownloadCommands = {
  'xnatDownload.projects': z.object({ connectionId }).strict(),
  'xnatDownload.experiments': z
    .object({
      connectionId,
      project,
      /** Part of the label (case does not matter); `*` matches any run of characters. Empty: all. */
      search: z.string().trim().max(200).optional(),
      limit: z.number().int().min(1).max(XNAT_EXPERIMENTS_MAX).default(50),
    })
    .strict(),
  'xnatDownload.scans': z
    .object({ connectionId, project, experiment: z.string().trim().min(1).max(200) })
    .strict(),
} as const;

export interface XnatProjectChoice {
  id: string;
  secondaryId: string;
  name: string;
}

export interface XnatExperimentChoice {
  id: string;
  label: string;
  subject: string;
  date: string;
  xsiType: string;
}

export interface XnatExperimentList {
  /** The first `limit` matches, sorted by label. */
  experiments: XnatExperimentChoice[];
  /** How many experiments of the project match the search. */
  matched: number;
  /** How many experiments XNAT listed for the project. */
  total: number;
}

/** A resource type (label) on the scans or assessors of an experiment, summed over them. */
export interface XnatResourceChoice {
  label: string;
  /** How many scans (or assessors) have it. */
  owners: number;
  files: number;
  bytes: number;
}

export interface XnatExperimentContents {
  experiment: XnatExperimentChoice;
  scans: { id: string; type: string; description: string; quality: string; resources: string[] }[];
  assessors: { id: string; label: string; xsiType: string; resources: string[] }[];
  resources: { scan: XnatResourceChoice[]; assessor: XnatResourceChoice[] };
}

export interface XnatDownloadResults {
  'xnatDownload.projects': XnatProjectChoice[];
  'xnatDownload.experiments': XnatExperimentList;
  'xnatDownload.scans': XnatExperimentContents;
}
