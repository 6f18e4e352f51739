/** What each part of the reliability harness returns: checks that must hold, figures, and notes. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export type Figure = number | string | boolean;

export interface PartResult {
  part: string;
  title: string;
  checks: Check[];
  figures: Record<string, Figure>;
  notes: string[];
  seconds: number;
}

/** Collects the checks and figures of one part while it runs. */
export class PartRecorder {
  readonly checks: Check[] = [];
  readonly figures: Record<string, Figure> = {};
  readonly notes: string[] = [];
  private readonly started = Date.now();

  constructor(
    readonly part: string,
    readonly title: string,
  ) {}

  /** Records a check; `detail` says what was seen (shown on failure and in the report). */
  check(name: string, ok: boolean, detail = ''): boolean {
    this.checks.push({ name, ok, detail });
    return ok;
  }

  figure(name: string, value: Figure): void {
    this.figures[name] = value;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** A part that stopped on an exception still reports what it had, plus the exception as a failed check. */
  fail(error: unknown): void {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.check('the part ran to its end', false, text.split('\n').slice(0, 6).join(' | '));
  }

  result(): PartResult {
    return {
      part: this.part,
      title: this.title,
      checks: this.checks,
      figures: this.figures,
      notes: this.notes,
      seconds: Math.round((Date.now() - this.started) / 100) / 10,
    };
  }
}

/** Failed checks of several parts, as `part: check — detail` lines (empty when everything held). */
export function failures(results: readonly PartResult[]): string[] {
  return results.flatMap((r) =>
    r.checks.filter((c) => !c.ok).map((c) => `${r.part}: ${c.name} — ${c.detail}`),
  );
}

/** Seeded pseudo-random numbers, so a run can be repeated: the fault plans' own generator. */
export { mulberry32 as seededRandom } from '../../test/servers/faultPlan';
