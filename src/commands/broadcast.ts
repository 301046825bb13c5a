import { commandFor } from '../cli/verb-command.js';
import { broadcastVerb } from '../cli/verbs/broadcast.js';

export default commandFor(broadcastVerb);
