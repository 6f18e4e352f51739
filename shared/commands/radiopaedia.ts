/**
 * Commands behind the "Radiopaedia cases" screens: reading the cases a person typed (so the form can say
 * what will be fetched before anything is), and per-case progress of a running batch.
 */
import { z } from 'zod';
import type { StatusCounts } from '../status';

export const radiopaediaCommands = {
  /** Reads case URLs and rIDs from free text, as the batch will (nothing is fetched). */
  'radiopaedia.parseCases': z
    .object({
      text: z.string().max(1_000_000),
      /** The site rIDs refer to; default https://radiopaedia.org. */
      site: z.string().trim().max(500).optional(),
    })
    .strict(),
  /** How far each case of a Radiopaedia batch is: one row per case, its images counted by status. */
  'radiopaedia.progress': z.object({ batchId: z.number().int().positive() }).strict(),
} as const;

export interface RadiopaediaCaseInput {
  url: string;
  rid: number | null;
  /** The text it was read from. */
  input: string;
}

export interface RadiopaediaParsedCases {
  /** The site's origin as it will be used. */
  site: string;
  cases: RadiopaediaCaseInput[];
  /** Lines in which no case was recognised. */
  rejected: string[];
  /** Inputs left out because an earlier one names the same case. */
  duplicates: string[];
}

export interface RadiopaediaCaseProgress {
  /** The files table's group of the case (`rID 70001`). */
  group: string;
  rid: number | null;
  /** Known once the case page was read. */
  title: string | null;
  /** The case page. */
  url: string;
  /** Items of the case: its images, or the one record of a case that could not be read yet. */
  total: number;
  counts: StatusCounts;
  /** The image being fetched now, if any. */
  running: string | null;
}

export interface RadiopaediaResults {
  'radiopaedia.parseCases': RadiopaediaParsedCases;
  'radiopaedia.progress': { cases: RadiopaediaCaseProgress[]; more: boolean };
}
