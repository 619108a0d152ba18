// Where a running app reports: start-up notices, log lines and warnings (the CLI maps them to stdout and stderr).

/** The app's three kinds of output; each call is one line without its newline. */
export interface AppOutput {
  /** A start-up or shutdown notice for the operator (the CLI prints it on stdout, prefixed). */
  readonly notice: (line: string) => void;
  /** A log line (requests, logins) from the diagnostics-channel subscribers. */
  readonly log: (line: string) => void;
  /** Something went wrong in the background (a timer, the demo simulator) without stopping the server. */
  readonly warn: (line: string) => void;
}
