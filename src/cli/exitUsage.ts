/** Prints a usage error the way every segcov command does, and exits 2. */
export function exitUsage(message: string): never {
  process.stderr.write(`segcov: ${message.split('\n')[0]}\n`);
  process.exit(2);
}
