/**
 * The emulator's injected faults: the shared fault plan (../faultPlan.ts: count-based rules and seeded
 * rates for `status`, `reset` and `stall`) plus kinds only an XNAT server can show.
 *
 * - `status`: answer with a status (default 503) after draining the request body, optional Retry-After.
 * - `reset`: destroy the connection without an answer.
 * - `stall`: wait `stallMs` (Infinity: forever) before handling the request normally.
 * - `truncate`: cut a streamed answer (zip or file download) after `afterBytes` bytes by destroying the socket.
 * - `wrong-digest`: store a file PUT normally but report a wrong MD5 `digest` for it in listings.
 * - `expire-session`: end every live session just before handling the request (401 for cookie requests).
 * - `replace-zip`: answer a `?format=zip` download (after authentication and lookup) with `body` instead of
 *   the real archive, as a compromised server or a tampering proxy would (hostile zips).
 */
import { FaultPlan } from '../faultPlan';
import type { BaseFaultSpec, FaultRates as HttpFaultRates, HttpFaultKind } from '../faultPlan';

export type { FaultMatch } from '../faultPlan';

export type FaultKind = HttpFaultKind | 'truncate' | 'wrong-digest' | 'expire-session' | 'replace-zip';

export interface FaultSpec extends BaseFaultSpec {
  kind: FaultKind;
  afterBytes?: number;
  /** The bytes a `replace-zip` fault sends. */
  body?: Buffer;
}

export interface FaultRates extends HttpFaultRates {
  /** Fraction of file PUTs whose reported digest is wrong. */
  wrongDigest?: number;
}

const KINDS: readonly FaultKind[] = [
  'status',
  'reset',
  'stall',
  'truncate',
  'wrong-digest',
  'expire-session',
  'replace-zip',
];
const REQUEST_KINDS: readonly FaultKind[] = ['status', 'reset', 'stall', 'expire-session'];

export class EmulatorFaults extends FaultPlan<FaultSpec, FaultRates> {
  constructor(
    seed: number,
    private readonly onExpireSessions: () => void,
  ) {
    // Rates leave the login alone unless `match` says otherwise.
    super(KINDS, seed, REQUEST_KINDS, /\/JSESSION$/);
  }

  /** Ends every live session now (the client's next cookie request gets 401). */
  expireSessions(): void {
    this.onExpireSessions();
  }

  /** Bytes after which a streamed answer is cut, if a truncate rule matches. */
  takeTruncate(method: string, path: string): number | null {
    const rule = this.takeRule(['truncate'], method, path);
    return rule ? (rule.afterBytes ?? 0) : null;
  }

  /** The bytes to send instead of a zip download, if a replace-zip rule matches. */
  takeZipReplacement(method: string, path: string): Buffer | null {
    const rule = this.takeRule(['replace-zip'], method, path);
    return rule ? (rule.body ?? Buffer.alloc(0)) : null;
  }

  /** Whether this file PUT gets a wrong digest. */
  takeWrongDigest(method: string, path: string): boolean {
    if (this.takeRule(['wrong-digest'], method, path)) return true;
    const rate = this.rates.wrongDigest ?? 0;
    if (rate > 0 && this.ratesApply(method, path) && this.draw() < rate) {
      this.fired['wrong-digest'] += 1;
      return true;
    }
    return false;
  }
}
