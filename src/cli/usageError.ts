/** A mistake in the user's flags or config: printed as one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prints a usage error the way every segcov command does, and exits 2. */
export function exitUsage(message: string): never {
  process.stderr.write(`segcov: ${message.split('\n')[0]}\n`);
  process.exit(2);
}
