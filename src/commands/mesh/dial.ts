import { commandFor } from '../../cli/verb-command.js';
import { meshDialVerb } from '../../cli/verbs/mesh.js';

export default commandFor(meshDialVerb);
