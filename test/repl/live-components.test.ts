import { describe, expect, it } from 'vitest';
import type { ComponentInfo } from '../../src/index.js';
import { LiveComponents } from '../../src/repl/live-components.js';

const info = (name: string, groups: string[] = []): ComponentInfo => ({
  name,
  address: null,
  groups,
  state: 'ready',
  meta: {},
  lastHeartbeat: 0,
  registeredAt: 0,
});

describe('LiveComponents', () => {
  it('follows a listing, then joins and leaves, and never offers itself', () => {
    const live = new LiveComponents('repl-me-1');
    live.reset([info('echo', ['svc']), info('repl-me-1')]);
    expect(live.components).toEqual(['echo']);
    live.apply({ type: 'join', component: info('late', ['svc', 'web']) });
    live.apply({ type: 'ready', component: info('late', ['svc', 'web']) });
    expect(live.components).toEqual(['echo', 'late']);
    expect(live.groups).toEqual(['svc', 'web']);
    live.apply({ type: 'leave', component: info('echo') });
    expect(live.components).toEqual(['late']);
  });
});
