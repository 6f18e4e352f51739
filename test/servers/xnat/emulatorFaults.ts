/**
 * Injected faults. Count-based rules ("fail the next N requests matching X") make tests deterministic;
 * rates (fractions, drawn from a seeded generator) make soak runs and benchmarks realistic.
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
export type FaultKind =
  'status' | 'reset' | 'stall' | 'truncate' | 'wrong-digest' | 'expire-session' | 'replace-zip';

export interface FaultMatch {
  method?: string;
  /** Substring of, or pattern over, the request path (query string excluded). */
  path?: string | RegExp;
}

export interface FaultSpec {
  kind: FaultKind;
  match?: FaultMatch;
  status?: number;
  retryAfter?: string;
  stallMs?: number;
  afterBytes?: number;
  /** The bytes a `replace-zip` fault sends. */
  body?: Buffer;
}

export interface FaultRates {
  /** Fraction of matching requests answered 5xx (`status`, default 503). */
  serverError?: number;
  status?: number;
  /** Fraction of matching requests whose connection is reset. */
  reset?: number;
  /** Fraction of matching requests delayed by `stallMs` (default 2000). */
  stall?: number;
  stallMs?: number;
  /** Fraction of file PUTs whose reported digest is wrong. */
  wrongDigest?: number;
  /** Which requests the rates apply to; default: every request except `/data/JSESSION`. */
  match?: FaultMatch;
}

const REQUEST_KINDS: readonly FaultKind[] = ['status', 'reset', 'stall', 'expire-session'];

export class EmulatorFaults {
  /** How many times each kind fired, for assertions. */
  readonly fired: Record<FaultKind, number> = {
    status: 0,
    reset: 0,
    stall: 0,
    truncate: 0,
    'wrong-digest': 0,
    'expire-session': 0,
    'replace-zip': 0,
  };
  private rules: { spec: FaultSpec; remaining: number }[] = [];
  private rates: FaultRates = {};
  private random: () => number;

  constructor(
    seed: number,
    private readonly onExpireSessions: () => void,
  ) {
    this.random = mulberry32(seed);
  }

  /** The next `count` requests matching `spec.match` get `spec` (rules are consumed in the order added). */
  failNext(count: number, spec: FaultSpec): void {
    this.rules.push({ spec, remaining: count });
  }

  setRates(rates: FaultRates, seed?: number): void {
    this.rates = { ...rates };
    if (seed !== undefined) this.random = mulberry32(seed);
  }

  /** Ends every live session now (the client's next cookie request gets 401). */
  expireSessions(): void {
    this.onExpireSessions();
  }

  clear(): void {
    this.rules = [];
    this.rates = {};
  }

  get pendingRules(): number {
    return this.rules.reduce((sum, rule) => sum + rule.remaining, 0);
  }

  /** A request-level fault (status, reset, stall, expire-session) for this request, if any. */
  takeRequestFault(method: string, path: string): FaultSpec | null {
    const rule = this.takeRule(REQUEST_KINDS, method, path);
    if (rule) return rule;
    if (!this.ratesApply(method, path)) return null;
    const { serverError = 0, reset = 0, stall = 0 } = this.rates;
    const draw = this.random();
    if (draw < serverError) return this.fire({ kind: 'status', status: this.rates.status ?? 503 });
    if (draw < serverError + reset) return this.fire({ kind: 'reset' });
    if (draw < serverError + reset + stall)
      return this.fire({ kind: 'stall', stallMs: this.rates.stallMs ?? 2000 });
    return null;
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
    if (rate > 0 && this.ratesApply(method, path) && this.random() < rate) {
      this.fired['wrong-digest'] += 1;
      return true;
    }
    return false;
  }

  private takeRule(kinds: readonly FaultKind[], method: string, path: string): FaultSpec | null {
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !kinds.includes(rule.spec.kind)) continue;
      if (!matches(rule.spec.match, method, path)) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r.remaining > 0);
      return this.fire(rule.spec);
    }
    return null;
  }

  private fire(spec: FaultSpec): FaultSpec {
    this.fired[spec.kind] += 1;
    return spec;
  }

  private ratesApply(method: string, path: string): boolean {
    if (this.rates.match) return matches(this.rates.match, method, path);
    return !/\/JSESSION$/.test(path);
  }
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? path.includes(match.path) : match.path.test(path);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
