/**
 * Where the cold pass's worker entry is: beside this file, in the source tree's build and
 * in a bundled CLI alike. The only place that names it.
 */
export function hourWorkerUrl(): URL {
  return new URL('./hourWorker.js', import.meta.url);
}
