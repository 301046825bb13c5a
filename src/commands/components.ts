import { commandFor } from '../cli/verb-command.js';
import { componentsVerb } from '../cli/verbs/components.js';

export default commandFor(componentsVerb);
