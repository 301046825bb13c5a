/** Defaults every node agrees on, kept apart so a client can know them without loading the server. */
export const DEFAULT_PORT = 7300;
/** Where clients look for the server when told nothing else: this machine, the default port. */
export const DEFAULT_SERVER = `127.0.0.1:${DEFAULT_PORT}`;
