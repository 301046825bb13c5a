import { Args } from '@oclif/core';
import { BotzCommand } from '../../cli/base-command.js';
import { writeKeyringFile } from '../../cli/keyring-file.js';
import { afterPreviousStep, findKey, keyringPath, keysFlags } from '../../cli/keys-command.js';
import { BotzError, ErrorCode } from '../../lib/errors.js';

export default class KeysRetire extends BotzCommand {
  static override summary = 'Rotation step 3: remove a key that no longer signs; packets under it are refused from then on';
  static override args = { id: Args.string({ required: true, description: 'the key id (botz keys ls)' }) };
  static override flags = keysFlags;

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(KeysRetire);
    const path = keyringPath(flags['secret-file'], this.configDirectory);
    await afterPreviousStep(path);
    const { secrets, at } = findKey(path, args.id);
    if (at === 0) throw new BotzError(ErrorCode.INVALID_ARGUMENT, `${args.id} is the primary: promote another key first`);
    writeKeyringFile(path, secrets.filter((_, i) => i !== at));
    this.line(`retired ${args.id}`);
    return { retired: args.id };
  }
}
