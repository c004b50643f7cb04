/**
 * What was thrown, as one line for a person (a flag's error, an HTTP answer, a problem's
 * detail). Where an error is logged, pass it as `{ err }` instead: pino keeps its type and
 * stack.
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
