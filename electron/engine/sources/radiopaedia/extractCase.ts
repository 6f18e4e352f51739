import type { Page, Response } from 'playwright-core';
import { CourierError } from '../../../../shared/errors';
import { httpFailure, networkFailure } from '../../clients/httpFailure';
import { caseUrlFor, DEFAULT_SITE } from './caseInputs';
import type { CaseInput } from './caseInputs';
import { isExpectedLicence, RADIOPAEDIA_LICENCE } from './licence';
import { readPageSnapshot, RENDERED_SELECTOR } from './pageSnapshot';
import type { PageSnapshot } from './pageSnapshot';
import { DEFAULT_CDN_BASE, stacksFromStacksJson, studyFromViewerJson } from './stacksData';
import type { RadiopaediaCase, RadiopaediaStack, RadiopaediaStudy, StacksSource } from './types';

export interface ExtractCaseOptions {
  /** Base URL for rIDs (and the `--site` of the CLI). Default https://radiopaedia.org. */
  site?: string;
  /** How long the page may take to load and render its content. Default 30 s. */
  timeoutMs?: number;
  /** Licences accepted without asking. Default: CC BY-NC-SA 3.0. */
  expectedLicences?: readonly string[];
  /** False once an operator approved the case's licence. Default true. */
  checkLicence?: boolean;
  /** Where thumbnails named by `annotated_viewer_json` live. */
  cdnBase?: string;
}

const DATA_PATH = /\/studies\/(\d+)\/(stacks|annotated_viewer_json)$/;
const SIGN_IN_PATH = /\/(users\/)?(sign_in|login|sign-in)(\/|$)/i;

export function isSignInUrl(url: string): boolean {
  try {
    return SIGN_IN_PATH.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

export function signInRequired(what: string, url: string, signInUrl: string): CourierError {
  return new CourierError({
    code: 'sign-in-required',
    message: `${what} needs a signed-in Radiopaedia account: sign in in the browser window, then retry.`,
    attention: { reason: 'sign-in', actions: ['open-in-browser', 'retry', 'skip'] },
    detail: { url, signInUrl },
  });
}

interface CapturedData {
  kind: 'stacks' | 'viewer-json';
  json: unknown;
}

/**
 * Watches the page's own requests for study data while a case loads: keeps the JSON bodies, and turns a
 * failed data request (429, 5xx) into a rejection that ends the wait at once.
 */
class StudyTraffic {
  private readonly data = new Map<number, CapturedData>();
  private readonly reading = new Set<Promise<void>>();
  private rejectFailure: (err: CourierError) => void = () => undefined;
  readonly failure: Promise<never>;

  constructor(private readonly page: Page) {
    this.failure = new Promise<never>((_, reject) => {
      this.rejectFailure = reject;
    });
    this.failure.catch(() => undefined);
    page.on('response', this.onResponse);
  }

  private readonly onResponse = (response: Response): void => {
    let path: string;
    try {
      path = new URL(response.url()).pathname;
    } catch {
      return;
    }
    const m = DATA_PATH.exec(path);
    if (!m) return;
    const studyId = Number(m[1]);
    const kind = m[2] === 'stacks' ? 'stacks' : 'viewer-json';
    if (response.status() >= 400) {
      this.rejectFailure(
        httpFailure(response.status(), `Radiopaedia study ${studyId} data`, {
          retryAfter: response.headers()['retry-after'],
        }),
      );
      return;
    }
    const read = response
      .json()
      .then((json: unknown) => {
        this.data.set(studyId, { kind, json });
      })
      .catch(() => undefined) // body gone (navigation) or not JSON: we fetch it ourselves
      .finally(() => this.reading.delete(read));
    this.reading.add(read);
  };

  /** The data the page loaded for `studyId`, once every response seen so far has been read. */
  async get(studyId: number): Promise<CapturedData | undefined> {
    while (this.reading.size > 0) await Promise.all([...this.reading]);
    return this.data.get(studyId);
  }

  capturedIds(): number[] {
    return [...this.data.keys()];
  }

  dispose(): void {
    this.page.off('response', this.onResponse);
  }
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}

async function checkPageResponse(response: Response | null, target: CaseInput, page: Page): Promise<void> {
  if (isSignInUrl(page.url())) throw signInRequired(`Case ${target.input}`, target.url, page.url());
  if (!response) return;
  const status = response.status();
  if (status < 400) return;
  if (status === 404) {
    throw new CourierError({
      code: 'case-not-found',
      message: `Radiopaedia has no case at ${target.url} (404); check the URL or rID.`,
      detail: { status, url: target.url },
    });
  }
  throw httpFailure(status, `Loading Radiopaedia case ${target.input}`, {
    retryAfter: await response.headerValue('retry-after'),
  });
}

async function waitForContent(page: Page, traffic: StudyTraffic, target: CaseInput, deadline: number) {
  const timeout = remaining(deadline);
  try {
    await Promise.race([
      page.locator(RENDERED_SELECTOR).first().waitFor({ state: 'attached', timeout }),
      traffic.failure,
    ]);
  } catch (err) {
    if (err instanceof CourierError) throw err;
    if (isSignInUrl(page.url())) throw signInRequired(`Case ${target.input}`, target.url, page.url());
    if ((err as Error | undefined)?.name === 'TimeoutError') {
      // A sign-in wall shown in place (no redirect) has a password field and no case content.
      const passwordFields = await page
        .locator('input[type="password"]')
        .count()
        .catch(() => 0);
      if (passwordFields > 0) throw signInRequired(`Case ${target.input}`, target.url, page.url());
      throw new CourierError({
        code: 'page-not-rendered',
        message: `The page of case ${target.input} showed no case content within ${Math.round(timeout / 1000)} s.`,
        retryable: true,
        cause: err,
      });
    }
    throw networkFailure(err, `Loading Radiopaedia case ${target.input}`);
  }
}

function caseIdFrom(snapshot: PageSnapshot, target: CaseInput, pageUrl: string): number {
  const candidates = [
    snapshot.rows['rid']?.text,
    /rID-(\d+)/i.exec(snapshot.identifier ?? '')?.[1],
    target.rid === null ? undefined : String(target.rid),
    /\/cases\/(\d+)(?:[/?#]|$)/.exec(pageUrl)?.[1],
  ];
  for (const c of candidates) {
    const n = Number(c?.trim());
    if (c && Number.isSafeInteger(n) && n > 0) return n;
  }
  throw new CourierError({
    code: 'case-id-missing',
    message: `The page of case ${target.input} shows no rID; the page layout may have changed.`,
    attention: { reason: 'layout-changed', actions: ['open-in-browser', 'skip'] },
  });
}

function titleFrom(snapshot: PageSnapshot): string {
  return (
    snapshot.headerTitle ??
    snapshot.documentTitle.replace(/\s*\|\s*Radiology Case\s*\|\s*Radiopaedia\.org\s*$/i, '').trim()
  );
}

function systemsFrom(snapshot: PageSnapshot): string[] {
  const row = snapshot.rows['systems'] ?? snapshot.rows['system'];
  if (!row) return [];
  if (row.links.length) return row.links;
  return (row.text ?? '')
    .split(/,\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
}

async function fetchStacks(
  page: Page,
  studyId: number,
  target: CaseInput,
  deadline: number,
): Promise<unknown> {
  const url = new URL(`/studies/${studyId}/stacks?lang=us`, page.url()).href;
  let response;
  try {
    response = await page.request.get(url, { timeout: remaining(deadline), failOnStatusCode: false });
  } catch (err) {
    throw networkFailure(err, `Radiopaedia study ${studyId} data`);
  }
  if (isSignInUrl(response.url())) throw signInRequired(`Case ${target.input}`, target.url, response.url());
  if (!response.ok()) {
    throw httpFailure(response.status(), `Radiopaedia study ${studyId} data`, {
      retryAfter: response.headers()['retry-after'],
    });
  }
  return response.json();
}

function layoutChanged(target: CaseInput, what: string, cause?: unknown): CourierError {
  return new CourierError({
    code: 'case-data-unreadable',
    message: `Case ${target.input}: ${what}; the page layout or its data may have changed.`,
    attention: { reason: 'layout-changed', actions: ['open-in-browser', 'retry', 'skip'] },
    cause,
  });
}

async function studiesFrom(
  page: Page,
  snapshot: PageSnapshot,
  traffic: StudyTraffic,
  target: CaseInput,
  rid: number,
  options: ExtractCaseOptions,
  deadline: number,
): Promise<RadiopaediaStudy[]> {
  const listed = snapshot.studies.length
    ? snapshot.studies
    : traffic.capturedIds().map((id) => ({ id, modality: null, findings: null }));
  if (listed.length === 0) throw layoutChanged(target, 'the page lists no studies');
  const pageUrl = page.url();
  const studies: RadiopaediaStudy[] = [];
  for (const entry of listed) {
    const captured = await Promise.race([traffic.get(entry.id), traffic.failure]);
    let stacks: RadiopaediaStack[];
    let source: StacksSource;
    let modality = entry.modality;
    let findings = entry.findings;
    try {
      if (captured?.kind === 'viewer-json') {
        const viewer = studyFromViewerJson(captured.json, pageUrl, options.cdnBase ?? DEFAULT_CDN_BASE);
        stacks = viewer.stacks;
        modality ??= viewer.modality;
        findings ??= viewer.findings;
        source = 'viewer-json';
      } else if (captured) {
        stacks = stacksFromStacksJson(captured.json, pageUrl);
        source = 'stacks';
      } else if (snapshot.inlineStacks && listed.length === 1) {
        stacks = stacksFromStacksJson(snapshot.inlineStacks, pageUrl);
        source = 'inline';
      } else {
        stacks = stacksFromStacksJson(await fetchStacks(page, entry.id, target, deadline), pageUrl);
        source = 'fetched';
      }
    } catch (err) {
      if (err instanceof CourierError) throw err;
      throw layoutChanged(target, `the data of study ${entry.id} could not be read`, err);
    }
    modality ??= stacks.find((s) => s.modality)?.modality ?? null;
    studies.push({
      id: entry.id,
      modality,
      findings,
      url: new URL(`/cases/${rid}/studies/${entry.id}`, pageUrl).href,
      source,
      stacks,
    });
  }
  return studies;
}

function checkLicence(c: RadiopaediaCase, options: ExtractCaseOptions): void {
  if (options.checkLicence === false) return;
  const expected = options.expectedLicences ?? [RADIOPAEDIA_LICENCE];
  if (!c.licenseUrl) {
    throw new CourierError({
      code: 'licence-missing',
      message: `Case ${c.rid} has no licence link (<link rel="license">); check the licence on the page before archiving it.`,
      attention: { reason: 'licence-missing', actions: ['approve', 'open-in-browser', 'skip'] },
      detail: { case: c },
    });
  }
  if (!isExpectedLicence(c.licenseUrl, expected)) {
    throw new CourierError({
      code: 'licence-unexpected',
      message: `Case ${c.rid} is published under ${c.licenseUrl}, not the expected ${expected.join(' or ')}; approve it or skip the case.`,
      attention: { reason: 'licence-unexpected', actions: ['approve', 'open-in-browser', 'skip'] },
      detail: { case: c, licenseUrl: c.licenseUrl },
    });
  }
}

/**
 * Loads one case page in `page` and returns its metadata, studies and stacks, read from the page's own
 * data requests or inline data. Waits for the content or the data, never for a fixed time. Throws
 * CourierError: `sign-in-required` / `licence-missing` / `licence-unexpected` (attention; the licence
 * errors carry the extracted case in `detail.case`), `http-502`/`http-503`/`http-429` (retryable, the
 * latter with `retryAfterMs`), `case-not-found`, `page-not-rendered`.
 */
export async function extractCase(
  page: Page,
  caseUrlOrRid: string | number,
  options: ExtractCaseOptions = {},
): Promise<RadiopaediaCase> {
  const target = caseUrlFor(caseUrlOrRid, options.site ?? DEFAULT_SITE);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const traffic = new StudyTraffic(page);
  try {
    let response: Response | null;
    try {
      response = await page.goto(target.url, { waitUntil: 'domcontentloaded', timeout: remaining(deadline) });
    } catch (err) {
      throw networkFailure(err, `Loading Radiopaedia case ${target.input}`);
    }
    await checkPageResponse(response, target, page);
    await waitForContent(page, traffic, target, deadline);
    const snapshot = await readPageSnapshot(page);
    const rid = caseIdFrom(snapshot, target, page.url());
    const result: RadiopaediaCase = {
      rid,
      url: page.url(),
      title: titleFrom(snapshot) || `Radiopaedia case ${rid}`,
      author: snapshot.author,
      published: snapshot.rows['case published']?.text ?? snapshot.rows['published']?.text ?? null,
      systems: systemsFrom(snapshot),
      licenseUrl: snapshot.license,
      description: snapshot.description,
      studies: await studiesFrom(page, snapshot, traffic, target, rid, options, deadline),
    };
    checkLicence(result, options);
    return result;
  } finally {
    traffic.dispose();
  }
}
