import { commandFor } from '../../cli/verb-command.js';
import { meshDotVerb } from '../../cli/verbs/mesh.js';

export default commandFor(meshDotVerb);
