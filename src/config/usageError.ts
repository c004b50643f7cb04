/** A mistake in the user's flags or config: printed as one line, exit status 2. */
export class UsageError extends Error {
  /**
   * `inNamedFile`: the mistake is inside a file the flag names (e.g. --web.config.file's),
   * not the flag's value, so it is not reported as the --config file's.
   */
  constructor(
    message: string,
    readonly inNamedFile = false,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
