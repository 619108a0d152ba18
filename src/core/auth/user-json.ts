// The users API's view of a user (`{api}/users/`), shared by the server that answers it and the clients that read it.

/** A user as the API shows it: never any credential material. */
export interface UserJson {
  /** Login name. */
  readonly username: string;
  /** `admin`, `operator` or `viewer`. */
  readonly role: string;
  /** False when the user may not log in. */
  readonly enabled: boolean;
  /** ISO 8601 UTC. */
  readonly created: string;
  /** ISO 8601 UTC. */
  readonly modified: string;
}

/** The caller as `{api}/whoami` answers: who is logged in, with which role. */
export interface WhoamiJson {
  /** Login name. */
  readonly username: string;
  /** `admin`, `operator` or `viewer`. */
  readonly role: string;
}
