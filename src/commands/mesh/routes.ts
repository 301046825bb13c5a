import { commandFor } from '../../cli/verb-command.js';
import { meshRoutesVerb } from '../../cli/verbs/mesh.js';

export default commandFor(meshRoutesVerb);
