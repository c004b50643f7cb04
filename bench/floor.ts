/**
 * `node dist/bench/floor.js QUALITY_DIR...`: the floor of a cold pass in Node, for the growth
 * table beside `find` and `--run-once`. It lists every hour folder of the given quality
 * folders and runs the per-hour analysis on each (segcov's own store/ and coverage/ code,
 * the synchronous listing of the first pass's batches), on one thread, and nothing else: no
 * flags, logs, metrics, stitching, gauges or map. What --run-once costs above it is
 * segcov's own; what it costs above `find` is Node's (start-up, a JS string per name, the JIT).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { analyzeHour } from '../src/coverage/hourAnalysis.js';
import { parseHourName } from '../src/store/hourName.js';
import { readHourSync } from '../src/store/listHour.js';

let segments = 0;
for (const dir of process.argv.slice(2)) {
  for (const name of readdirSync(dir).sort()) {
    const start = parseHourName(name);
    if (start === null) continue;
    const input = readHourSync(path.join(dir, name), name, start, () => {
      /* problems are not the floor's business */
    });
    if (input === null) continue;
    analyzeHour(input);
    segments += input.segments.length;
  }
}
if (process.env.FLOOR_SAY === '1') console.log(segments);
