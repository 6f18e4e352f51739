/**
 * Runs the XNAT emulator as its own process, for benchmarks and crash tests that must not share an event
 * loop with the client:
 *
 *   tsx test/servers/xnat/main.ts [--storage disk] [--zip store] [--project ID[:SECONDARY[:ALIAS]]]...
 *
 * Prints one JSON line `{"url": …, "control": …}` and serves until SIGTERM/SIGINT. The control server
 * (another loopback port) answers `GET /files` (stored files with digests and PUT counts), `GET /stats`,
 * `POST /faults` with a JSON body `{"failNext": {"count": n, "spec": FaultSpec}}`, `{"rates": FaultRates}`,
 * `{"expireSessions": true}` or `{"clear": true}`, `POST /users` `{"username","password"}`, and
 * `POST /seed` `{"files": [{"project","subject","experiment","scan","resource","name","size","seed"}]}`
 * (generated content; experiments and scans are created as needed).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startXnatEmulator } from './index';
import type { FaultRates, FaultSpec } from './index';

const { values } = parseArgs({
  options: {
    storage: { type: 'string', default: 'memory' },
    zip: { type: 'string', default: 'deflate' },
    project: { type: 'string', multiple: true, default: [] },
    user: { type: 'string', default: 'courier:courier-password' },
  },
});
const [username = 'courier', password = ''] = (values.user ?? '').split(/:(.*)/s);
const emulator = await startXnatEmulator({
  storage: values.storage === 'disk' ? 'disk' : 'memory',
  zipCompression: values.zip === 'store' ? 'store' : 'deflate',
  users: [{ username, password }],
  projects: (values.project ?? []).map((spec) => {
    const [id = '', secondaryId, alias] = spec.split(':');
    return { id, ...(secondaryId ? { secondaryId } : {}), ...(alias ? { aliases: [alias] } : {}) };
  }),
});

interface SeedFile {
  project: string;
  subject: string;
  experiment: string;
  scan: string;
  resource: string;
  name: string;
  size: number;
  seed: string;
}

async function seed(files: SeedFile[]): Promise<number> {
  const state = emulator.state;
  for (const f of files) {
    const experiment =
      state.experiment(f.project, f.experiment) ?? state.addExperiment(f.project, f.subject, f.experiment);
    if (!experiment.scans.has(f.scan)) state.addScan(f.project, f.experiment, f.scan);
    const target = { project: f.project, experiment: f.experiment, scan: f.scan };
    await state.addFile(target, f.resource, f.name, { size: f.size, seed: f.seed });
  }
  return files.length;
}

interface ControlBody {
  files?: SeedFile[];
  failNext?: { count: number; spec: FaultSpec & { match?: { method?: string; path?: string } } };
  rates?: FaultRates;
  expireSessions?: boolean;
  clear?: boolean;
  username?: string;
  password?: string;
}

const control = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    try {
      const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as ControlBody;
      if (req.method === 'GET' && req.url === '/files') return reply(200, emulator.state.storedFiles());
      if (req.method === 'GET' && req.url === '/stats') return reply(200, emulator.state.stats);
      if (req.method === 'POST' && req.url === '/users' && body.username && body.password !== undefined) {
        emulator.state.addUser(body.username, body.password);
        return reply(200, { ok: true });
      }
      if (req.method === 'POST' && req.url === '/seed' && body.files) {
        seed(body.files).then(
          (added) => reply(200, { added }),
          (err: unknown) => reply(400, { error: err instanceof Error ? err.message : String(err) }),
        );
        return;
      }
      if (req.method === 'POST' && req.url === '/faults') {
        if (body.clear) emulator.faults.clear();
        if (body.rates) emulator.faults.setRates(body.rates);
        if (body.failNext) emulator.faults.failNext(body.failNext.count, body.failNext.spec);
        if (body.expireSessions) emulator.faults.expireSessions();
        return reply(200, { fired: emulator.faults.fired });
      }
      reply(404, { error: 'unknown control request' });
    } catch (err) {
      reply(400, { error: err instanceof Error ? err.message : String(err) });
    }
  });
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const { port } = control.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ url: emulator.url, control: `http://127.0.0.1:${port}` })}\n`);

const stop = () => {
  control.close();
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
