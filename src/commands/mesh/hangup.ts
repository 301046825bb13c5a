import { commandFor } from '../../cli/verb-command.js';
import { meshHangupVerb } from '../../cli/verbs/mesh.js';

export default commandFor(meshHangupVerb);
