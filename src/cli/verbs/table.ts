/**
 * Every verb of the CLI. Each has a command file in src/commands (at its oclif id's path) and,
 * unless all it does is stream, a verb of the same name in the REPL.
 */
import type { AnyVerb } from '../verb.js';
import { broadcastVerb } from './broadcast.js';
import { checkVerb } from './check.js';
import { componentsVerb } from './components.js';
import { MESH_TOPIC, MESH_VERBS } from './mesh.js';
import { pingVerb } from './ping.js';
import { sendVerb } from './send.js';
import { shutdownVerb } from './shutdown.js';
import { tailVerb } from './tail.js';

/** In the order the REPL's `help` lists them. */
export const VERBS: readonly AnyVerb[] = [sendVerb, broadcastVerb, componentsVerb, tailVerb, shutdownVerb, pingVerb, checkVerb, ...MESH_VERBS];

/** Words that group verbs (`mesh routes`), with what --help and the REPL say of them. */
export const TOPICS: Readonly<Record<string, string>> = { mesh: MESH_TOPIC };
