import { BotzCommand } from '../../cli/base-command.js';
import { keyIdHex, readKeyringFile } from '../../cli/keyring-file.js';
import { keyringPath, keysFlags } from '../../cli/keys-command.js';

export default class KeysLs extends BotzCommand {
  static override summary = 'List the keys of the shared secret file by id (never the secrets): the first signs, every one is accepted';
  static override flags = keysFlags;

  async run(): Promise<unknown> {
    const { flags } = await this.parse(KeysLs);
    const ids = readKeyringFile(keyringPath(flags['secret-file'], this.configDirectory)).map(keyIdHex);
    ids.forEach((id, i) => this.line(`${id}${i === 0 ? '  primary' : ''}`));
    return ids.map((id, i) => ({ id, primary: i === 0 }));
  }
}
