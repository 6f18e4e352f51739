/**
 * Injected HTTP faults, shared by the XNAT emulator and the fault proxy. Count-based rules ("fail the
 * next N requests matching X") make tests deterministic; rates (fractions drawn from a seeded generator
 * in the order requests arrive) make soak runs and benchmarks realistic.
 *
 * - `status`: answer with a status (default 503), optional Retry-After.
 * - `reset`: destroy the connection without an answer.
 * - `stall`: wait `stallMs` (Infinity: forever) before handling the request normally.
 *
 * A server may know more kinds (the emulator's `wrong-digest`, say): it passes them to the plan and takes
 * them with `takeRule`.
 */
import type { IncomingMessage } from 'node:http';

export type HttpFaultKind = 'status' | 'reset' | 'stall';

export interface FaultMatch {
  method?: string;
  /** Substring of, or pattern over, the request path (query string excluded). */
  path?: string | RegExp;
  /** Pattern over the request's Content-Type (a multipart upload, say); no match when the server gives none. */
  contentType?: RegExp;
}

export interface BaseFaultSpec {
  kind: string;
  match?: FaultMatch;
  status?: number;
  retryAfter?: string;
  stallMs?: number;
}

export interface HttpFaultSpec extends BaseFaultSpec {
  kind: HttpFaultKind;
}

export interface FaultRates {
  /** Fraction of matching requests answered 5xx (`status`, default 503). */
  serverError?: number;
  status?: number;
  /** Retry-After sent with a share (`retryAfterShare`, default all) of the injected statuses. */
  retryAfter?: string;
  retryAfterShare?: number;
  /** Fraction of matching requests whose connection is reset. */
  reset?: number;
  /** Fraction of matching requests delayed by `stallMs` (default 2000). */
  stall?: number;
  stallMs?: number;
  /** Which requests the rates apply to; default: every request the server does not exclude. */
  match?: FaultMatch;
}

const HTTP_KINDS: readonly HttpFaultKind[] = ['status', 'reset', 'stall'];

export class FaultPlan<Spec extends BaseFaultSpec = HttpFaultSpec, Rates extends FaultRates = FaultRates> {
  /** How many times each kind fired, for assertions. */
  readonly fired: Record<Spec['kind'], number>;
  protected rates: Rates = {} as Rates;
  private rules: { spec: Spec; remaining: number }[] = [];
  private random: () => number;

  /**
   * @param kinds every kind this server knows (counted in `fired`)
   * @param requestKinds the kinds `takeRequestFault` hands out, before a request is handled
   * @param ratesExclude paths the rates never touch unless `match` says otherwise (a login, say)
   */
  constructor(
    kinds: readonly Spec['kind'][],
    seed: number,
    private readonly requestKinds: readonly Spec['kind'][] = HTTP_KINDS,
    private readonly ratesExclude?: RegExp,
  ) {
    this.fired = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<Spec['kind'], number>;
    this.random = mulberry32(seed);
  }

  /** The next `count` requests matching `spec.match` get `spec` (rules are consumed in the order added). */
  failNext(count: number, spec: Spec): void {
    this.rules.push({ spec, remaining: count });
  }

  setRates(rates: Rates, seed?: number): void {
    this.rates = { ...rates };
    if (seed !== undefined) this.random = mulberry32(seed);
  }

  clear(): void {
    this.rules = [];
    this.rates = {} as Rates;
  }

  get pendingRules(): number {
    return this.rules.reduce((sum, rule) => sum + rule.remaining, 0);
  }

  /** A fault to apply before this request is handled (a rule first, then the rates), if any. */
  takeRequestFault(method: string, path: string, contentType?: string): Spec | null {
    const rule = this.takeRule(this.requestKinds, method, path, contentType);
    if (rule) return rule;
    if (!this.ratesApply(method, path, contentType)) return null;
    const { serverError = 0, reset = 0, stall = 0 } = this.rates;
    const draw = this.draw();
    if (draw < serverError) {
      const { retryAfter, retryAfterShare = 1 } = this.rates;
      const withRetryAfter = retryAfter !== undefined && this.draw() < retryAfterShare;
      return this.fire({
        kind: 'status',
        status: this.rates.status ?? 503,
        ...(withRetryAfter ? { retryAfter } : {}),
      } as Spec);
    }
    if (draw < serverError + reset) return this.fire({ kind: 'reset' } as Spec);
    if (draw < serverError + reset + stall)
      return this.fire({ kind: 'stall', stallMs: this.rates.stallMs ?? 2000 } as Spec);
    return null;
  }

  /** The first rule of one of `kinds` matching this request, counted as fired. */
  protected takeRule(
    kinds: readonly Spec['kind'][],
    method: string,
    path: string,
    contentType?: string,
  ): Spec | null {
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !kinds.includes(rule.spec.kind)) continue;
      if (!matches(rule.spec.match, method, path, contentType)) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r.remaining > 0);
      return this.fire(rule.spec);
    }
    return null;
  }

  protected draw(): number {
    return this.random();
  }

  protected fire(spec: Spec): Spec {
    this.fired[spec.kind as Spec['kind']] += 1;
    return spec;
  }

  protected ratesApply(method: string, path: string, contentType?: string): boolean {
    if (this.rates.match) return matches(this.rates.match, method, path, contentType);
    return !this.ratesExclude?.test(path);
  }
}

export function matches(
  match: FaultMatch | undefined,
  method: string,
  path: string,
  contentType?: string,
): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.contentType && !match.contentType.test(contentType ?? '')) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? path.includes(match.path) : match.path.test(path);
}

/**
 * Holds a request for `ms` (Infinity: until the client or the server gives up). Resolves true when the
 * request should then be handled, false when the client went away or the server is closing.
 */
export function stallRequest(ms: number, req: IncomingMessage, closing: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (proceed: boolean) => {
      if (timer) clearTimeout(timer);
      closing.removeEventListener('abort', onClosing);
      req.socket.removeListener('close', onGone);
      resolve(proceed);
    };
    const onClosing = () => stop(false);
    const onGone = () => stop(false);
    closing.addEventListener('abort', onClosing);
    req.socket.once('close', onGone);
    if (Number.isFinite(ms)) timer = setTimeout(() => stop(true), ms);
  });
}

/** Seeded pseudo-random numbers in [0, 1), so a fault plan can be repeated. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
