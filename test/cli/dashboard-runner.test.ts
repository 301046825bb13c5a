import { describe, expect, it } from 'vitest';
import { startDashboard } from '../../src/cli/dashboard-runner.js';

describe('startDashboard', () => {
  it('refuses an update interval under 100ms before it connects to anything', async () => {
    const run = { server: '127.0.0.1:1', secret: 'a secret of sixteen bytes or more', host: '127.0.0.1', port: 0, actions: false };
    await expect(startDashboard({ ...run, interval: 20 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('at least 100ms') });
  });
});
