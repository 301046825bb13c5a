/** Defaults every node agrees on, kept apart so a client can know them without loading the server. */
export const DEFAULT_PORT = 7300;
