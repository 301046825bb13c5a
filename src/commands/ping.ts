import { commandFor } from '../cli/verb-command.js';
import { pingVerb } from '../cli/verbs/ping.js';

export default commandFor(pingVerb);
