import { afterAll, beforeAll } from 'vitest';
import { RedisStore } from '../../../../src/lib/registry/store/redis-store.js';
import { RedisProcess } from '../../../helpers/redis.js';
import { storeCompliance } from './compliance.js';

let redis: RedisProcess;
let networks = 0;
beforeAll(async () => {
  redis = await RedisProcess.start();
});
afterAll(async () => {
  await redis.kill();
});

// Leases are judged against the `now` each call passes (the tests' time); only the event that a
// lease ended comes from Redis's own clock, when it expires the lease key: a short lease, awaited.
storeCompliance('RedisStore', async () => {
  const prefix = `t${++networks}`;
  return {
    store: () => new RedisStore({ url: redis.url, prefix }),
    now: Date.UTC(2026, 0, 1),
    leaseMs: 300,
    expireLeases: async () => {},
    close: async () => {},
  };
});
