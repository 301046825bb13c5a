import { describe, expect, it } from 'vitest';
import { describeFailure, exitCodeFor, redact } from '../../src/cli/exit-codes.js';
import { AddressInUse, BotzError, Cancelled, ErrorCode, NameTaken, NoSuchComponent, ServerUnreachable, Timeout } from '../../src/lib/errors.js';
import { Keyring } from '../../src/lib/wire/keyring.js';

describe('exitCodeFor', () => {
  it.each([
    [ErrorCode.INVALID_ARGUMENT, 2],
    [ErrorCode.INVALID_NAME, 2],
    [ErrorCode.NO_SUCH_COMPONENT, 3],
    [ErrorCode.NO_ROUTE, 3],
    [ErrorCode.UNREACHABLE, 3],
    [ErrorCode.TIMEOUT, 4],
    [ErrorCode.REMOTE_ERROR, 5],
    [ErrorCode.AUTH_FAILED, 6],
    [ErrorCode.BAD_MAC, 6],
    [ErrorCode.SERVER_UNREACHABLE, 7],
    [ErrorCode.CLOSED, 1],
    [ErrorCode.NAME_TAKEN, 1],
    ['SOMETHING_ELSE', 1],
    [undefined, 1],
  ])('%s → %d', (code, exit) => {
    expect(exitCodeFor(code)).toBe(exit);
  });
});

describe('describeFailure', () => {
  it('names the server tried when it is unreachable', () => {
    const f = describeFailure(new ServerUnreachable('127.0.0.1:9'), {});
    expect(f).toMatchObject({ exit: 7, code: 'SERVER_UNREACHABLE' });
    expect(f.line).toContain('127.0.0.1:9');
    expect(f.line).toContain('botz serve');
  });

  it('points at `botz components` for an unknown name', () => {
    const f = describeFailure(new NoSuchComponent('ghost'), { server: 'h:1' });
    expect(f.exit).toBe(3);
    expect(f.line).toContain('botz components');
  });

  it('names the secret source, never the secret, on auth failure', () => {
    const f = describeFailure(new BotzError(ErrorCode.AUTH_FAILED, 'the server at h:1 refused our secret'), { server: 'h:1', secretSource: 'env BOTZ_SECRET' });
    expect(f.exit).toBe(6);
    expect(f.line).toBe('the server at h:1 refused our secret (our secret came from env BOTZ_SECRET); every node needs the server\'s secret (h:1): set BOTZ_SECRET or --secret-file');
  });

  it('says how long it waited only when the message does not already', () => {
    // As PendingRequests makes them: the duration in the message and in the details.
    const said = describeFailure(new Timeout('the request to "x" got no answer within 500 ms', { details: { timeoutMs: 500 } }), { target: 'x', timeoutMs: 500 });
    expect(said.line).toBe('the request to "x" got no answer within 500 ms; raise --timeout or check that x is alive with `botz components`');
    const unsaid = describeFailure(new BotzError(ErrorCode.TIMEOUT, 'no answer'), { target: 'x', timeoutMs: 500 });
    expect(unsaid.line).toBe('no answer (waited 500ms); raise --timeout or check that x is alive with `botz components`');
  });

  it('says when connecting took part of --timeout before the request', () => {
    const rest = describeFailure(new Timeout('the request to "x" got no answer within 460 ms', { details: { timeoutMs: 460 } }), { target: 'x', timeoutMs: 500 });
    expect(rest.line).toBe('the request to "x" got no answer within 460 ms (what connecting left of --timeout 500ms); raise --timeout or check that x is alive with `botz components`');
  });

  it('a server that did not complete the handshake is not called missing, nor its target slow', () => {
    const stalled = new Timeout('the botz server at 127.0.0.1:7300 did not complete the handshake within 1000 ms', {
      details: { server: '127.0.0.1:7300', peer: '$server', timeoutMs: 1000 },
    });
    expect(describeFailure(stalled, { server: '127.0.0.1:7300', target: 'echo', timeoutMs: 1000 })).toMatchObject({
      exit: 4,
      code: 'TIMEOUT',
      line: 'the botz server at 127.0.0.1:7300 did not complete the handshake within 1000 ms; check that a botz server (not another program) listens there and is not overloaded, or raise --timeout',
    });
  });

  it('blames a refused secret on where it came from, not on the command\'s flags', () => {
    const refused = (() => {
      try {
        return new Keyring(['short']);
      } catch (error) {
        return error;
      }
    })();
    const f = describeFailure(refused, { command: 'send', secretSource: 'env BOTZ_SECRET' });
    expect(f).toMatchObject({ exit: 2, line: 'a secret must be at least 16 bytes long (got 5): the secret from env BOTZ_SECRET' });
    const other = describeFailure(new BotzError(ErrorCode.INVALID_ARGUMENT, '"x" is not a host:port address'), { command: 'send', secretSource: 'env BOTZ_SECRET' });
    expect(other.line).toBe('"x" is not a host:port address (see `botz send --help`)');
  });

  it('says that the server\'s tail limit was reached, and what to do, when botz tail is refused', () => {
    const refused = new BotzError(ErrorCode.LIMIT_REACHED, "the server's tail limit is reached: 32 tails are open");
    expect(describeFailure(refused, { command: 'tail' })).toEqual({
      exit: 1,
      code: 'LIMIT_REACHED',
      message: "the server's tail limit is reached: 32 tails are open",
      line: "the server's tail limit is reached: 32 tails are open; stop another `botz tail`, or start the server with a higher --max-tails",
    });
  });

  it('says what to do when a name is taken', () => {
    const f = describeFailure(new NameTaken('echo'), {});
    expect(f).toMatchObject({ exit: 1, code: 'NAME_TAKEN' });
    expect(f.line).toBe('the name "echo" is already registered by a live component; choose another name, or stop that one first (`botz shutdown echo`)');
  });

  it('says what to do when a listener\'s address is taken', () => {
    const f = describeFailure(new AddressInUse('127.0.0.1:7300'), {});
    expect(f).toMatchObject({ exit: 1, code: 'ADDRESS_IN_USE' });
    expect(f.line).toBe('cannot listen on 127.0.0.1:7300: the address is already in use; another botz (or another program) listens there: stop it, or choose another --port');
  });

  it('a timeout waiting for the server points at the server, not at the target', () => {
    const slowServer = new Timeout('the lookup of "echo" got no answer within 300 ms', { details: { timeoutMs: 300, peer: '$server' } });
    expect(describeFailure(slowServer, { server: '127.0.0.1:7300', target: 'echo' }).line).toBe(
      'the lookup of "echo" got no answer within 300 ms; the botz server at 127.0.0.1:7300 is slow to answer: raise --timeout, or check that it is not overloaded',
    );
    const slowTarget = new Timeout('the request to "echo" got no answer within 300 ms', { details: { timeoutMs: 300, peer: 'echo' } });
    expect(describeFailure(slowTarget, { server: '127.0.0.1:7300', target: 'echo' }).line).toMatch(/check that echo is alive/);
  });

  it('a cancelled call exits 130, as a shell reports SIGINT', () => {
    const f = describeFailure(new Cancelled('the request to "echo" was cancelled'), {});
    expect(f).toMatchObject({ exit: 130, code: 'CANCELLED', line: 'the request to "echo" was cancelled' });
  });

  it('treats oclif parse errors as usage', () => {
    const err = Object.assign(new Error('Missing 1 required arg:\nname'), { parse: {} });
    expect(describeFailure(err, { command: 'send' })).toMatchObject({ exit: 2, code: 'USAGE' });
  });

  it('makes anything else a plain error on one line', () => {
    const f = describeFailure(new Error('boom\nstack'), {});
    expect(f).toMatchObject({ exit: 1, code: 'ERROR', line: 'boom' });
  });
});

describe('redact', () => {
  it('removes every occurrence of the secret', () => {
    expect(redact('k=s3cr3t and s3cr3t', 's3cr3t')).toBe('k=[secret] and [secret]');
  });
  it('leaves text alone without a secret', () => {
    expect(redact('abc', undefined)).toBe('abc');
  });
});

describe('describeFailure with oclif flag errors', () => {
  it('keeps the reason oclif puts under "Parsing --flag", not the bare heading', () => {
    const err = Object.assign(new Error('Parsing --timeout \n\t"nope" is not a duration; write it like 500ms, 5s or 2m\nSee more help with --help'), { parse: {} });
    expect(describeFailure(err, { command: 'components' })).toEqual({
      exit: 2,
      code: 'USAGE',
      message: '--timeout: "nope" is not a duration; write it like 500ms, 5s or 2m',
      line: '--timeout: "nope" is not a duration; write it like 500ms, 5s or 2m (see `botz components --help`)',
    });
  });
});

describe('describeFailure for a mesh node', () => {
  it('names the mesh node, not the server, when nothing answers at its address', () => {
    const f = describeFailure(new ServerUnreachable('127.0.0.1:9'), { server: '127.0.0.1:9', peer: 'mesh node' });
    expect(f.exit).toBe(7);
    expect(f.line).toBe('cannot reach the mesh node at 127.0.0.1:9; check that a `botz register NAME --mesh` runs there and listens on that address');
  });
});

describe('the help hint', () => {
  it('spells topic commands the way people type them', () => {
    const err = Object.assign(new Error('Missing 1 required arg'), { parse: {} });
    expect(describeFailure(err, { command: 'mesh:routes' }).line).toBe('Missing 1 required arg (see `botz mesh routes --help`)');
  });
});

describe('issue 17: advice that points the right way', () => {
  it('a name a mesh node cannot reach points at its routes, not at `botz components`', () => {
    const f = describeFailure(Object.assign(new Error('no route to "ghost"'), { code: 'NO_ROUTE' }), { server: '127.0.0.1:7411', peer: 'mesh node' });
    expect(f.exit).toBe(3);
    expect(f.line).toMatch(/botz mesh routes 127\.0\.0\.1:7411/);
    expect(f.line).not.toMatch(/botz components/);
  });

  it('a body over the packet limit is a usage error that says what to do', () => {
    const f = describeFailure(Object.assign(new Error('a request of 2000000 bytes exceeds the packet limit of 1048576 bytes'), { code: 'FRAME_TOO_LARGE' }), {});
    expect(f).toMatchObject({ exit: 2, code: 'FRAME_TOO_LARGE' });
    expect(f.line).toMatch(/smaller body/);
  });
});
