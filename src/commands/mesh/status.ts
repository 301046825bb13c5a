import { commandFor } from '../../cli/verb-command.js';
import { meshStatusVerb } from '../../cli/verbs/mesh.js';

export default commandFor(meshStatusVerb);
