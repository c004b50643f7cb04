/**
 * µs since the epoch as ISO-8601 text. Apart from isoTime.ts (parsing, with luxon and
 * Node's require) so that the status page's browser script can share it through
 * src/web/format.ts: nothing here may import Node or a package.
 */

/** µs since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function formatIsoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // …SS.mmmZ
  return `${iso.slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

/**
 * The inverse of formatIsoMicros, for text it wrote (the status page reads the API's times
 * with it, to the µs); NaN for any other text.
 */
export function readIsoMicros(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})Z$/.exec(text);
  return m === null ? NaN : Date.parse(`${m[1]}Z`) * 1000 + Number(m[2]);
}
