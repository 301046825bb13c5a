import { ManualClock } from '../../../../src/lib/clock.js';
import { MemoryDatabase, MemoryStore } from '../../../../src/lib/registry/store/memory-store.js';
import { storeCompliance } from './compliance.js';

storeCompliance('MemoryStore', async () => {
  const clock = new ManualClock();
  const db = new MemoryDatabase(clock);
  const leaseMs = 10_000;
  return {
    store: () => new MemoryStore(db),
    now: clock.now(),
    leaseMs,
    expireLeases: () => clock.advance(leaseMs),
    close: async () => {},
  };
});
