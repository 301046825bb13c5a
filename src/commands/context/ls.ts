import { BotzCommand } from '../../cli/base-command.js';
import { listContexts, readContext, selectedContext, type BotzContext } from '../../cli/contexts.js';
import { alignColumns } from '../../cli/output.js';

export default class ContextLs extends BotzCommand {
  static override summary = 'List the saved contexts; * marks the one in use';
  static override examples = ['<%= config.bin %> context ls', '<%= config.bin %> context ls --json'];

  async run(): Promise<(BotzContext & { name: string; selected: boolean })[]> {
    await this.parse(ContextLs);
    const selected = process.env.BOTZ_CONTEXT || selectedContext(this.configDirectory);
    const list = listContexts(this.configDirectory).map((name) => ({ name, selected: name === selected, ...readContext(this.configDirectory, name) }));
    if (list.length === 0) this.line('(no contexts; `botz context add NAME --server HOST:PORT` saves one)');
    else {
      const rows = list.map((c) => [`${c.selected ? '*' : ' '} ${c.name}`, c.server ?? '-', c.secretFile ?? '-', c.encrypt ? 'encrypt' : '-', c.description ?? '']);
      this.line(alignColumns([['  NAME', 'SERVER', 'SECRET FILE', 'ENCRYPT', 'DESCRIPTION'], ...rows]));
    }
    return list;
  }
}
