import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface PhpServerOptions {
  coreDir: string;
  router: string;
  configFile: string;
  /** Largest request body PHP must accept (a whole file or one chunk plus the form fields). */
  maxRequestBytes: number;
  /** PHP_CLI_SERVER_WORKERS; 1 serves one request at a time. */
  workers: number;
}

export interface PhpServer {
  port: number;
  pid: number;
  /** The last lines php -S wrote (request log and PHP errors), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

const LOG_LINES = 300;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Signals php and its workers (PHP_CLI_SERVER_WORKERS forks them into php's own process group). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that crashes before close() must not leave php -S behind.
  process.once('exit', () => {
    for (const child of running) signalGroup(child, 'SIGKILL');
  });
}

/** Starts `php -S 127.0.0.1:0` on the core with the given router; resolves once PHP reports its port. */
export function startPhpServer(options: PhpServerOptions): Promise<PhpServer> {
  installExitHook();
  const limitMb = `${Math.ceil(options.maxRequestBytes / (1024 * 1024)) + 8}M`;
  const args = [
    '-d',
    `upload_max_filesize=${limitMb}`,
    '-d',
    `post_max_size=${limitMb}`,
    '-d',
    'memory_limit=512M',
    '-d',
    'opcache.enable_cli=1',
    '-S',
    '127.0.0.1:0',
    '-t',
    options.coreDir,
    options.router,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, MW_CONFIG_FILE: options.configFile };
  if (options.workers > 1) env.PHP_CLI_SERVER_WORKERS = String(options.workers);
  else delete env.PHP_CLI_SERVER_WORKERS;
  const child = spawn('php', args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  const lines: string[] = [];
  // 'close' comes once every process holding php's output (the workers too) is gone.
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => {
    gone = true;
    running.delete(child);
  });

  return new Promise<PhpServer>((resolve, reject) => {
    let settled = false;
    let pending = '';
    const onData = (data: Buffer): void => {
      pending += data.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > LOG_LINES) lines.shift();
        const started = /Development Server \(http:\/\/127\.0\.0\.1:(\d+)\) started/.exec(line);
        if (started && !settled) {
          settled = true;
          resolve({
            port: Number(started[1]),
            pid: child.pid ?? -1,
            log: () => lines.join('\n'),
            stop: async () => {
              if (!gone) signalGroup(child, 'SIGTERM');
              await exited;
            },
          });
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new Error(`Cannot start php (is Debian's php-cli installed?): ${err.message}`, { cause: err }));
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      reject(new Error(`php -S exited (${code ?? signal}) before listening:\n${lines.join('\n')}${pending}`));
    });
  });
}
