/** Faults the ISIC fixture injects, per host and path (see README.md). */

export type IsicFaultKind =
  /** Answer `status` (default 503) with an optional Retry-After header. */
  | 'status'
  /** Send the headers with the full Content-Length, half of the body, then cut the connection. */
  | 'truncate'
  /** A complete answer whose body (and Content-Length) is half the size the metadata says. */
  | 'short'
  /** Destroy the connection before answering. */
  | 'reset'
  /** Never answer (the client's connect/headers timeout must fire). */
  | 'stall'
  /** Send the headers and part of the body, then nothing (the client's read timeout must fire). */
  | 'stall-body';

export interface IsicFault {
  host: 'api' | 'files';
  kind: IsicFaultKind;
  /** Only requests whose path and query contain this text. */
  pathIncludes?: string;
  status?: number;
  retryAfter?: string;
  body?: string;
  /** How many matching requests get the fault (default 1; Infinity for all). */
  times?: number;
  /** Matching requests let through before the fault starts (default 0). */
  after?: number;
  /** Only every Nth matching request gets the fault (e.g. 20: a 429 now and then under load). */
  every?: number;
}

export interface ArmedFault extends IsicFault {
  remaining: number;
  skip: number;
  seen: number;
}

/** The faults in force, in the order they were added; the first that matches a request takes it. */
export class FaultPlan {
  private readonly faults: ArmedFault[] = [];

  add(fault: IsicFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1, skip: fault.after ?? 0, seen: 0 });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The fault for this request, if any, counted as served. */
  take(host: 'api' | 'files', url: string, stats: { faultsServed: number }): ArmedFault | undefined {
    for (const fault of this.faults) {
      if (fault.host !== host || fault.remaining <= 0) continue;
      if (fault.pathIncludes !== undefined && !url.includes(fault.pathIncludes)) continue;
      if (fault.skip > 0) {
        fault.skip--;
        continue;
      }
      if (fault.every !== undefined && ++fault.seen % fault.every !== 0) continue;
      fault.remaining--;
      stats.faultsServed++;
      return fault;
    }
    return undefined;
  }
}
