import { z } from 'zod';

/** The experiment actions XNAT runs on request after an upload (xnatuploader runs all three). */
export const SESSION_ACTIONS = ['pullDataFromHeaders', 'fixScanTypes', 'triggerPipelines'] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

/** xnatuploader's session label: subject, modality and the visit number (1 for the earliest StudyDate). */
export const DEFAULT_EXPERIMENT_LABEL = '{Subject}_{Modality}{visit}';

export const xnatTargetConfig = z
  .object({
    /** The XNAT address; may stay empty until the upload (a scan does not need it). */
    server: z
      .string()
      .trim()
      .refine(
        (s) => s === '' || /^https?:\/\/[^/\s]+/i.test(s),
        'the XNAT address must start with http:// or https://',
      )
      .transform((s) => s.replace(/\/+$/, ''))
      .default(''),
    /** Project ID (or alias); may stay empty until the upload. */
    project: z.string().trim().default(''),
    /** Experiment label: `{Name}` takes a mapping, a captured value, a DICOM keyword or `visit`. */
    experimentLabel: z.string().trim().min(1).default(DEFAULT_EXPERIMENT_LABEL),
    /** The scans' resource folder. */
    resource: z
      .string()
      .trim()
      .min(1)
      .regex(/^[^/\\]+$/, 'a resource is a label, not a path')
      .default('DICOM'),
    /** Replace a file of the same name that XNAT already holds with other content. */
    overwrite: z.boolean().default(false),
    /** Compare each file's MD5 with the digest XNAT lists after the upload. */
    verify: z.boolean().default(true),
    /** Experiment actions to request once the batch has been sent. */
    afterUpload: z.array(z.enum(SESSION_ACTIONS)).default([]),
  })
  .strict();
export type XnatTargetConfig = z.infer<typeof xnatTargetConfig>;
