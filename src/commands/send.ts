import { commandFor } from '../cli/verb-command.js';
import { sendVerb } from '../cli/verbs/send.js';

export default commandFor(sendVerb);
