import { commandFor } from '../cli/verb-command.js';
import { shutdownVerb } from '../cli/verbs/shutdown.js';

export default commandFor(shutdownVerb);
