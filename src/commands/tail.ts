import { commandFor } from '../cli/verb-command.js';
import { tailVerb } from '../cli/verbs/tail.js';

export default commandFor(tailVerb);
