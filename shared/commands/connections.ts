/**
 * Saved connections to archives (XNAT servers, wikis, the ISIC Archive): where they are and who logs in.
 * Passwords go to the secret vault (encrypted by the desktop app; kept in memory only in web mode).
 */
import { z } from 'zod';

export const CONNECTION_KINDS = ['xnat', 'mediawiki', 'isic'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

const httpUrl = z
  .string()
  .trim()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must start with http:// or https://' });

export interface Connection {
  id: string;
  kind: ConnectionKind;
  label: string;
  /** XNAT: the site's base URL; MediaWiki: its api.php URL; ISIC: the API's base URL. */
  url: string;
  username: string;
  /** Where the password is: on disk (encrypted), in memory for this run only, or not given. */
  password: 'saved' | 'this-session' | 'none';
}

export interface ConnectionTest {
  ok: boolean;
  /** One sentence for the archivist: who is signed in and what they may do, or what went wrong. */
  message: string;
  /** What the server offers that a form can pick from (XNAT projects, wiki name). */
  details: Record<string, string | number | boolean | string[]>;
}

export const connectionCommands = {
  'connections.list': z.object({}).strict(),
  'connections.save': z
    .object({
      /** Absent: a new connection. */
      id: z.string().min(1).max(100).optional(),
      kind: z.enum(CONNECTION_KINDS),
      label: z.string().trim().min(1).max(200),
      url: httpUrl,
      username: z.string().max(200).default(''),
      /** Absent: keep the saved one; empty: forget it. */
      password: z.string().max(2000).optional(),
    })
    .strict(),
  'connections.delete': z.object({ id: z.string().min(1).max(100) }).strict(),
  'connections.test': z.object({ id: z.string().min(1).max(100) }).strict(),
} as const;

export interface ConnectionResults {
  'connections.list': Connection[];
  'connections.save': Connection;
  'connections.delete': { deleted: boolean };
  'connections.test': ConnectionTest;
}
