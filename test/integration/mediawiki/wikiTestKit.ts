import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isCourierError } from '../../../shared/errors';
import type { CourierError } from '../../../shared/errors';
import { writePng } from '../../servers/mediawiki/pngFixture';

/** A temp folder for fixture files, and PNGs with distinct bytes in it. */
export async function fixtureFolder(): Promise<{
  dir: string;
  png: (name: string, seed: number, approxBytes?: number) => Promise<string>;
  remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'courier-wiki-fixtures-'));
  return {
    dir,
    png: (name, seed, approxBytes) => writePng(path.join(dir, name), seed, approxBytes),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function sha1Of(filePath: string): Promise<string> {
  return createHash('sha1')
    .update(await readFile(filePath))
    .digest('hex');
}

/** The CourierError a promise rejects with (fails the test if it resolves or rejects with anything else). */
export async function courierErrorOf(promise: Promise<unknown>): Promise<CourierError> {
  try {
    await promise;
  } catch (err) {
    if (isCourierError(err)) return err;
    throw err;
  }
  throw new Error('expected a CourierError, but the call succeeded');
}

/** One request the client made, as the wiki saw it: its parameters and the API error header of the answer. */
export interface SeenRequest {
  method: string;
  params: Record<string, string>;
  apiError: string | null;
}

function paramsOf(url: string, body: unknown): Record<string, string> {
  const params: Record<string, string> = Object.fromEntries(new URL(url).searchParams);
  if (body instanceof URLSearchParams || body instanceof FormData) {
    for (const [key, value] of body.entries())
      params[key] = typeof value === 'string' ? value : `<file ${value.size} B>`;
  }
  return params;
}

/**
 * A fetch that passes everything through to the real wiki and records what went and what came back.
 * `rewrite` may change a request's form fields before it leaves (to present a stale token, say).
 */
export function recordingFetch(rewrite?: (params: Record<string, string>) => Record<string, string> | null): {
  fetch: typeof fetch;
  seen: SeenRequest[];
} {
  const seen: SeenRequest[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    let body = init?.body;
    const params = paramsOf(url, body);
    const changes = rewrite?.(params) ?? null;
    if (changes && (body instanceof FormData || body instanceof URLSearchParams)) {
      const replaced = body instanceof FormData ? new FormData() : new URLSearchParams();
      for (const [key, value] of body.entries()) {
        const next = key in changes ? changes[key] : value;
        if (next === undefined) continue;
        if (replaced instanceof FormData) replaced.append(key, next);
        else replaced.append(key, String(next));
      }
      body = replaced;
      Object.assign(params, changes);
    }
    const response = await fetch(input, { ...init, body });
    seen.push({
      method: init?.method ?? 'GET',
      params,
      apiError: response.headers.get('mediawiki-api-error'),
    });
    return response;
  };
  return { fetch: recording, seen };
}
