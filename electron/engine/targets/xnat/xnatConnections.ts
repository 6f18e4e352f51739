import { CourierError } from '../../../../shared/errors';
import { XnatClient } from '../../clients/xnat/xnatClient';
import type { XnatFile, XnatOwner } from '../../clients/xnat/xnatClient';
import type { CredentialSource } from '../../credentials';
import type { UploadPlace } from './uploadPlace';

/** A session nobody used for this long is logged out; the next file logs in again. */
const IDLE_MS = 5 * 60_000;
/** Resource listings are trusted this long, then read again (someone may have changed the archive). */
const LISTING_TTL_MS = 10 * 60_000;
/** After refused credentials, fail at once for this long instead of trying every file (account lockouts). */
const AUTH_FAILURE_MS = 30_000;

/** A file as a resource listing shows it. */
export interface ListedFile {
  digest: string | null;
  size: number;
}

type FileMap = Map<string, ListedFile>;

interface Listing {
  at: number;
  files: Promise<FileMap>;
}

/** Runs a request when the host's limits allow it (the batch's per-host politeness). */
export type RequestGate = <T>(request: () => Promise<T>) => Promise<T>;

/** Files waiting for a listing read after their upload, per resource. */
interface CheckQueue {
  waiting: { resolve: (files: FileMap) => void; reject: (error: unknown) => void }[];
  /** How the listing read is let through: the host limits of the batch of the file that waits longest. */
  gate: RequestGate;
  running: boolean;
  /** Starts the check even though uploads are still in flight, so a steady stream never starves it. */
  deadline?: NodeJS.Timeout;
  /** Starts the check when no upload into the resource has started again for CHECK_SETTLE_MS. */
  settle?: NodeJS.Timeout;
}

/** Longest a finished upload waits for the others of its resource before its check starts anyway. */
const CHECK_WAIT_MS = 1_000;
/** This many finished uploads of one resource are checked together at once, even with others in flight. */
const CHECK_GROUP = 16;
/**
 * How long waiting files give the next upload into their resource to start once none is in flight: the
 * runner refills a slot within a few milliseconds, and a steady stream is then checked in groups.
 */
const CHECK_SETTLE_MS = 25;

/**
 * One XNAT server as the upload sees it: one logged-in client shared by every file in flight, and what is
 * known to exist there — subjects, experiments, scans and resources created once each (concurrent files
 * wait for the same request), and resource listings read once and kept up to date with each upload.
 */
export class XnatConnection {
  private readonly ensured = new Map<string, Promise<void>>();
  private readonly listings = new Map<string, Listing>();
  private readonly checks = new Map<string, CheckQueue>();
  /** Uploads in flight per resource. */
  private readonly sending = new Map<string, number>();
  private idle: NodeJS.Timeout | undefined;

  constructor(
    readonly client: XnatClient,
    private readonly onIdle: () => void,
  ) {
    this.touch();
  }

  /** Creates (or finds) subject, experiment, scan and resource of a place, each at most once. */
  async ensurePlace(place: UploadPlace): Promise<void> {
    this.touch();
    const { project, subject, experiment, scan, resource } = place;
    const client = this.client;
    await this.once(`s\u0000${project}\u0000${subject}`, () => client.ensureSubject(project, subject));
    const e = `e\u0000${project}\u0000${subject}\u0000${experiment}`;
    await this.once(e, () =>
      client.ensureExperiment({
        project,
        subject,
        label: experiment,
        xsiType: place.xsiType,
        ...(place.date ? { date: place.date } : {}),
      }),
    );
    await this.once(`${e}\u0000${scan}`, () =>
      client.ensureScan({
        project,
        subject,
        experiment,
        scan,
        xsiType: place.scanXsiType,
        type: place.scanType,
        ...(place.seriesDescription ? { seriesDescription: place.seriesDescription } : {}),
      }),
    );
    await this.once(`${e}\u0000${scan}\u0000${resource}`, () =>
      client.ensureResource(ownerOf(place), resource, { format: 'DICOM' }),
    );
  }

  /** Forgets what is known about a place's experiment and below (after XNAT said part of it is missing). */
  forget(place: UploadPlace): void {
    const prefix = `e\u0000${place.project}\u0000${place.subject}\u0000${place.experiment}`;
    this.ensured.delete(`s\u0000${place.project}\u0000${place.subject}`);
    for (const key of [...this.ensured.keys()]) if (key.startsWith(prefix)) this.ensured.delete(key);
    this.listings.delete(listingKey(place));
  }

  /** The files XNAT lists in the place's resource (empty when the resource does not exist yet). */
  async listed(place: UploadPlace): Promise<ListedFile | undefined> {
    this.touch();
    const key = listingKey(place);
    let listing = this.listings.get(key);
    if (!listing || Date.now() - listing.at > LISTING_TTL_MS) {
      const files = this.readListing(place);
      listing = { at: Date.now(), files };
      this.listings.set(key, listing);
      const current = listing;
      files.catch(() => {
        if (this.listings.get(key) === current) this.listings.delete(key);
      });
    }
    return (await listing.files).get(place.fileName);
  }

  /** Runs an upload into the place's resource, so that checks of that resource know it is in flight. */
  async sendTo<T>(place: UploadPlace, upload: () => Promise<T>): Promise<T> {
    const key = listingKey(place);
    this.sending.set(key, (this.sending.get(key) ?? 0) + 1);
    try {
      return await upload();
    } finally {
      const left = (this.sending.get(key) ?? 1) - 1;
      if (left > 0) this.sending.set(key, left);
      else this.sending.delete(key);
      this.startCheck(key, place);
    }
  }

  /**
   * The place's file as a listing read after this call shows it. One listing serves every file of the
   * resource that is waiting: it starts once CHECK_GROUP files wait, or no upload into the resource has been
   * in flight for CHECK_SETTLE_MS, or after CHECK_WAIT_MS. So files sent together are checked together, and
   * never with a listing read before their upload ended.
   */
  fresh(place: UploadPlace, gate: RequestGate = (request) => request()): Promise<ListedFile | undefined> {
    this.touch();
    const key = listingKey(place);
    let queue = this.checks.get(key);
    if (!queue) this.checks.set(key, (queue = { waiting: [], gate, running: false }));
    const files = new Promise<FileMap>((resolve, reject) => queue.waiting.push({ resolve, reject }));
    this.startCheck(key, place);
    return files.then((map) => map.get(place.fileName));
  }

  private startCheck(key: string, place: UploadPlace, force = false): void {
    const queue = this.checks.get(key);
    if (!queue || queue.running || queue.waiting.length === 0) return;
    if (!force && queue.waiting.length < CHECK_GROUP) {
      queue.deadline ??= setTimeout(() => this.startCheck(key, place, true), CHECK_WAIT_MS);
      if (!this.sending.has(key)) {
        queue.settle ??= setTimeout(() => {
          queue.settle = undefined;
          this.startCheck(key, place, !this.sending.has(key));
        }, CHECK_SETTLE_MS);
      }
      return;
    }
    clearTimeout(queue.deadline);
    clearTimeout(queue.settle);
    queue.deadline = queue.settle = undefined;
    const waiting = queue.waiting.splice(0);
    queue.running = true;
    // Not shared with `listed`: a look before sending must not wait behind the checks of other files.
    const files = queue.gate(() => this.readListing(place));
    files
      .then(
        (map) => waiting.forEach((w) => w.resolve(map)),
        (error: unknown) => waiting.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        queue.running = false;
        if (queue.waiting.length > 0) this.startCheck(key, place);
        else if (this.checks.get(key) === queue) this.checks.delete(key);
      });
  }

  /** Records a file just uploaded, so that a later look at the resource does not need XNAT. */
  remember(place: UploadPlace, digest: string | null, size: number): void {
    const listing = this.listings.get(listingKey(place));
    void listing?.files.then((files) => files.set(place.fileName, { digest, size })).catch(() => undefined);
  }

  /** Logs out and closes the connections. */
  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    await this.client.close();
  }

  private async readListing(place: UploadPlace): Promise<FileMap> {
    let files: XnatFile[];
    try {
      files = await this.client.listFiles(ownerOf(place), place.resource);
    } catch (error) {
      // Missing resource, scan or experiment: nothing of this file is there yet.
      if (
        error instanceof CourierError &&
        error.code.startsWith('xnat-') &&
        error.code.endsWith('-not-found')
      ) {
        return new Map();
      }
      throw error;
    }
    const map: FileMap = new Map();
    for (const file of files) {
      const entry = { digest: file.digest, size: file.size };
      map.set(file.path, entry);
      // XNAT may list a name with spaces as %20.
      for (const name of [file.name, decodedName(file.name)]) if (!map.has(name)) map.set(name, entry);
    }
    return map;
  }

  private once(key: string, make: () => Promise<unknown>): Promise<void> {
    let pending = this.ensured.get(key);
    if (!pending) {
      pending = make().then(() => undefined);
      this.ensured.set(key, pending);
      const mine = pending;
      mine.catch(() => {
        if (this.ensured.get(key) === mine) this.ensured.delete(key);
      });
    }
    return pending;
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(this.onIdle, IDLE_MS);
    this.idle.unref();
  }
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

function ownerOf(place: UploadPlace): XnatOwner {
  return { project: place.project, subject: place.subject, experiment: place.experiment, scan: place.scan };
}

function listingKey(place: UploadPlace): string {
  return [place.project, place.subject, place.experiment, place.scan, place.resource].join('\u0000');
}

const pool = new Map<string, Promise<XnatConnection>>();

/**
 * The shared connection to an XNAT server, logging in on first use with the credentials the host provides
 * (environment, ~/.netrc, the desktop's store, or a prompt) — asked once per server, not once per file.
 */
export function xnatConnection(server: string, credentials: CredentialSource): Promise<XnatConnection> {
  if (!server) {
    return Promise.reject(
      new CourierError({
        code: 'xnat-config',
        message: 'No XNAT server is set for this batch: give one (--server, or Server in the workbook).',
      }),
    );
  }
  let connection = pool.get(server);
  if (!connection) {
    connection = open(server, credentials);
    pool.set(server, connection);
    const mine = connection;
    mine.catch((error: unknown) => {
      const forget = () => {
        if (pool.get(server) === mine) pool.delete(server);
      };
      if (error instanceof CourierError && error.code === 'xnat-auth')
        setTimeout(forget, AUTH_FAILURE_MS).unref();
      else forget();
    });
  }
  return connection;
}

async function open(server: string, credentials: CredentialSource): Promise<XnatConnection> {
  const login = await credentials('xnat', server);
  const client = await XnatClient.connect({ server, username: login.user, password: login.password });
  const connection: XnatConnection = new XnatConnection(client, () => {
    void closeConnection(server, connection);
  });
  return connection;
}

async function closeConnection(server: string, connection: XnatConnection): Promise<void> {
  const current = pool.get(server);
  if (current && (await current.catch(() => null)) === connection) pool.delete(server);
  await connection.close();
}

/** Logs out of every XNAT server this process is connected to (end of a CLI run, tests). */
export async function closeXnatConnections(): Promise<void> {
  const open = [...pool.values()];
  pool.clear();
  await Promise.all(open.map((c) => c.then((connection) => connection.close()).catch(() => undefined)));
}
