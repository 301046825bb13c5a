import { Args } from '@oclif/core';
import { BotzCommand } from '../../cli/base-command.js';
import { writeKeyringFile } from '../../cli/keyring-file.js';
import { afterPreviousStep, findKey, keyringPath, keysFlags } from '../../cli/keys-command.js';

export default class KeysPromote extends BotzCommand {
  static override summary = 'Rotation step 2: make a key the one that signs (the others are still accepted)';
  static override args = { id: Args.string({ required: true, description: 'the key id (botz keys ls)' }) };
  static override flags = keysFlags;

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(KeysPromote);
    const path = keyringPath(flags['secret-file'], this.configDirectory);
    await afterPreviousStep(path);
    const { secrets, at } = findKey(path, args.id);
    writeKeyringFile(path, [secrets[at], ...secrets.filter((_, i) => i !== at)]);
    this.line(`${args.id} signs now`);
    return { primary: args.id };
  }
}
