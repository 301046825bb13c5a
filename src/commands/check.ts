import { commandFor } from '../cli/verb-command.js';
import { checkVerb } from '../cli/verbs/check.js';

export default commandFor(checkVerb);
