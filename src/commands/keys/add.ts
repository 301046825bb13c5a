import { BotzCommand } from '../../cli/base-command.js';
import { keyIdHex, newSecret, readKeyringFile, writeKeyringFile } from '../../cli/keyring-file.js';
import { afterPreviousStep, keyringPath, keysFlags } from '../../cli/keys-command.js';

export default class KeysAdd extends BotzCommand {
  static override summary = 'Rotation step 1: add a new random secret, accepted but not yet signing; running processes reload the file';
  static override flags = keysFlags;

  async run(): Promise<unknown> {
    const { flags } = await this.parse(KeysAdd);
    const path = keyringPath(flags['secret-file'], this.configDirectory);
    await afterPreviousStep(path);
    const secrets = readKeyringFile(path);
    const secret = newSecret();
    writeKeyringFile(path, [...secrets, secret]);
    this.line(`added ${keyIdHex(secret)}: promote it (botz keys promote ${keyIdHex(secret)}) once every node has it`);
    return { added: keyIdHex(secret) };
  }
}
