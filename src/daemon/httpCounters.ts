import type { Logger } from '../log.js';
import type { HttpObserver } from '../outputs/http/httpServer.js';
import type { SelfMetrics } from '../outputs/metrics/selfMetrics.js';
import type { StreamEvents } from '../web/liveEvents.js';

/** The HTTP server's refusals and password failures: counted, and logged at debug (a flood must not flood the log). */
export function httpObserver(metrics: SelfMetrics, log: Logger): HttpObserver {
  return {
    shed: (reason, client) => {
      metrics.httpShed.inc({ reason });
      log.debug({ reason, client }, 'http connection closed or refused for want of room');
    },
    auth: (outcome, client) => {
      if (outcome === 'failed') metrics.httpAuthFailures.inc();
      else metrics.httpAuthThrottled.inc();
      log.debug(
        { client },
        outcome === 'failed' ? 'basic auth: wrong user or password' : 'basic auth: refused unchecked (too many wrong passwords)',
      );
    },
  };
}

/** The live-update streams: open ones, dropped ones (their client stopped reading), refused ones. */
export function streamCounters(metrics: SelfMetrics, log: Logger): StreamEvents {
  return {
    count: (n) => metrics.httpEventClients.set(n),
    dropped: (client, stalledMs) => {
      metrics.httpEventClientsDropped.inc();
      log.debug({ client, stalled_ms: stalledMs }, 'event stream dropped: its client left data unread');
    },
    refused: (client) => {
      metrics.httpShed.inc({ reason: 'event_streams' });
      log.debug({ client }, 'event stream refused: all are taken');
    },
  };
}
