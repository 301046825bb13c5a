import { describe, expect, it } from 'vitest';
import { runExecHandler } from '../../src/cli/exec-handler.js';

const ctx = { from: 'cli-1', kind: 'request' };

describe('runExecHandler', () => {
  it('passes the body on stdin and replies with the JSON printed', async () => {
    expect(await runExecHandler('cat', { a: '1' }, ctx)).toEqual({ a: '1' });
  });

  it('tells the handler who sent the message, but not the secret', async () => {
    const reply = await runExecHandler(`node -e 'console.log(JSON.stringify({from: process.env.BOTZ_FROM, secret: process.env.BOTZ_SECRET ?? null}))'`, {}, ctx, {
      ...process.env,
      BOTZ_SECRET: 'hush',
    });
    expect(reply).toEqual({ from: 'cli-1', secret: null });
  });

  it('turns a failing command into REMOTE_ERROR carrying its stderr', async () => {
    await expect(runExecHandler('echo "it broke" >&2; exit 3', {}, ctx)).rejects.toMatchObject({
      code: 'REMOTE_ERROR',
      details: { exitCode: 3, stderr: 'it broke' },
    });
  });

  it('turns output that is not JSON into REMOTE_ERROR', async () => {
    await expect(runExecHandler('echo not json', {}, ctx)).rejects.toMatchObject({ code: 'REMOTE_ERROR' });
  });

  it('replies null when the command prints nothing', async () => {
    expect(await runExecHandler('true', { a: 1 }, ctx)).toBeNull();
  });
});
