/** Issue 17: `botz cheat [VERB]` (examples, as `nats cheat`) and `botz completion bash|zsh`. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, runBotz } from './harness.js';

const env = isolatedEnv({});

describe('botz cheat', () => {
  it('lists examples of every command, headed by what it does', async () => {
    const r = await runBotz(['cheat'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# send: Send a request/m);
    expect(r.stdout).toMatch(/^botz send echo greeting=hello count:=3$/m);
    expect(r.stdout).toMatch(/^botz mesh routes /m);
    expect(r.stdout).not.toContain('<%=');
  });

  it('VERB narrows it to one command; a typo is a usage error with the nearest', async () => {
    const one = await runBotz(['cheat', 'tail'], env);
    expect(one.code).toBe(0);
    expect(one.stdout.split('\n').filter((l) => l.startsWith('botz ')).every((l) => l.startsWith('botz tail'))).toBe(true);
    const typo = await runBotz(['cheat', 'tial'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no command "tial"; did you mean `tail`\?/);
  });
});

describe('botz completion', () => {
  async function complete(shellWords: string[]): Promise<string[]> {
    const script = (await runBotz(['completion', 'bash'], env)).stdout;
    const dir = await mkdtemp(join(tmpdir(), 'botz-completion-'));
    const file = join(dir, 'botz.bash');
    await writeFile(file, script);
    const words = shellWords.map((w) => `'${w}'`).join(' ');
    const r = spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${words}); COMP_CWORD=${shellWords.length - 1}; _botz; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  it('bash: completes commands, topic commands and flags', async () => {
    expect(await complete(['botz', 'se'])).toEqual(['send', 'serve']);
    expect(await complete(['botz', 'mesh', 'ro'])).toEqual(['routes']);
    expect(await complete(['botz', 'send', 'echo', '--ti'])).toEqual(['--timeout']);
  });

  it('zsh: prints a script that hands bash completion to zsh', async () => {
    const r = await runBotz(['completion', 'zsh'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/bashcompinit/);
    expect(r.stdout).toMatch(/complete -F _botz botz/);
  });
});
