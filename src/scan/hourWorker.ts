/**
 * Worker-thread entry of the cold pass (a thin shell): reads the hour batches it is sent
 * and posts back their results. Imports only store/ and coverage/ code through hourBatch.
 */
import { parentPort } from 'node:worker_threads';
import { readHourBatch, type HourBatch, type WorkerFault, type WorkerReply, type WorkerRequest } from './hourBatch.js';

/** Test knob: fail as told when a batch holds the named hour. */
function injectFault(batch: HourBatch, fault: WorkerFault | undefined): void {
  if (fault === undefined || !batch.hours.some((h) => h.name === fault.hour)) return;
  if (fault.how === 'exit') process.exit(3);
  throw new Error(`injected fault at ${fault.hour}`);
}

parentPort?.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    injectFault(req.batch, req.fault);
    reply = { id: req.id, hours: readHourBatch(req.batch) };
  } catch (e) {
    reply = { id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  parentPort?.postMessage(reply);
});
