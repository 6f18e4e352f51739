/**
 * Kills a running `courier` command with SIGKILL at random moments and starts it again, as a power cut
 * or a killed terminal would, until the kills are spent; then lets one last run finish.
 */
import type { CourierInstall, CourierRun } from './courierProcess';
import { pollUntil } from '../../test/support/poll';

export interface CrashLoopOptions {
  courier: CourierInstall;
  args: string[];
  env: Record<string, string>;
  kills: number;
  random: () => number;
  /** How much has reached its destination so far (files stored, downloaded…), read while the command runs. */
  progress: () => number;
  total: number;
  /** Longest a single run may take before the harness gives up on it. */
  runTimeoutMs?: number;
}

export interface CrashLoopResult {
  /** SIGKILLs delivered to a running command. */
  kills: number;
  /** Runs that ended by themselves before their kill moment came. */
  finishedEarly: number;
  /** Kills made in the first moments of a run (start-up, login, listing) rather than during transfers. */
  startupKills: number;
  final: CourierRun;
  /** Every run's stderr, for the secret search and for diagnosis. */
  stderr: string[];
}

/** Runs `courier ARGS`, killing it `kills` times at random moments, then once more to its end. */
export async function crashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const { courier, random } = options;
  const stderr: string[] = [];
  let kills = 0;
  let finishedEarly = 0;
  let startupKills = 0;
  for (let left = options.kills; left > 0; left--) {
    const running = courier.start(options.args, options.env);
    let exited = false;
    void running.done.then(() => (exited = true));
    const before = options.progress();
    const remaining = Math.max(options.total - before, 0);
    if (random() < 0.25) {
      // Early: while it opens the ledger, logs in, lists what the server holds or creates folders; at the
      // latest as the first file arrives, however fast the command starts.
      startupKills++;
      await pollUntil(() => exited || options.progress() > before, 50 + Math.floor(random() * 1_500));
    } else {
      const step = 1 + Math.floor(random() * Math.max(1, (2 * remaining) / (left + 1)));
      await pollUntil(() => exited || options.progress() >= before + step, options.runTimeoutMs ?? 600_000);
    }
    if (!exited) {
      running.child.kill('SIGKILL');
      kills++;
    } else finishedEarly++;
    const result = await running.done;
    stderr.push(result.stderr);
  }
  const final = await courier.run(options.args, options.env, options.runTimeoutMs ?? 600_000);
  stderr.push(final.stderr);
  return { kills, finishedEarly, startupKills, final, stderr };
}
