/**
 * Entry point of a benchmark child process (peer-host.ts spawns it): starts one role when the
 * parent asks, reports its counters and memory, and exits when told to or when the parent goes.
 */
import { startRole, type RoleHandle, type RoleSpec } from './roles.js';

interface Request {
  id: number;
  op: 'start' | 'stats' | 'stop';
  spec?: RoleSpec;
}

let handle: RoleHandle | undefined;
const gc = (globalThis as { gc?: () => void }).gc;

function answer(id: number, value: unknown): void {
  process.send?.({ id, ok: true, value });
}

function fail(id: number, error: unknown): void {
  const e = error as { code?: unknown; message?: unknown };
  process.send?.({ id, ok: false, error: { code: typeof e?.code === 'string' ? e.code : 'ERROR', message: String(e?.message ?? error) } });
}

process.on('message', (request: Request) => {
  void (async () => {
    try {
      switch (request.op) {
        case 'start':
          handle = await startRole(request.spec!);
          answer(request.id, handle.info);
          return;
        case 'stats': {
          const cpu = process.cpuUsage();
          // Two passes: the first frees what the second's finalisers released.
          gc?.();
          gc?.();
          const m = process.memoryUsage();
          answer(request.id, { rss: m.rss, heapUsed: m.heapUsed, cpuUs: cpu.user + cpu.system, role: handle?.stats() ?? {} });
          return;
        }
        case 'stop':
          await handle?.stop();
          answer(request.id, null);
          process.disconnect?.();
          setImmediate(() => process.exit(0));
          return;
      }
    } catch (error) {
      fail(request.id, error);
    }
  })();
});

// Never outlive the benchmark that started us.
process.on('disconnect', () => process.exit(0));
