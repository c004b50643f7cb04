import { DEFAULT_HTTP_LIMITS as HTTP } from '../config/httpLimits.js';
import { DEFAULT_OUTPUT_DIR } from '../store/layout.js';

/** The replaced checker's flags plus segcov's own, as yargs options (docs/operating.md, Flags). */
export const DAEMON_OPTIONS = {
  'base-dir': { type: 'string', default: '.', describe: 'Segment store: BASE/CHANNEL/QUALITY/HOUR/SEGMENT' },
  qualities: { type: 'string', default: 'source', describe: 'Comma-separated qualities to check' },
  'first-hour': {
    type: 'string',
    describe: 'First hour the map shows (ISO-8601 or "2026-11-01 07:00", truncated to the UTC hour); every hour is still read and exported',
  },
  'last-hour': { type: 'string', describe: 'Last hour the map shows (inclusive)' },
  'output-dir': { type: 'string', default: DEFAULT_OUTPUT_DIR, describe: 'Where maps and pages go, relative to --base-dir (or absolute)' },
  // no parser defaults for the settings spelled twice: exporterFlags.ts tells where each was given
  'metrics-port': { type: 'string', defaultDescription: '"8006"', describe: 'HTTP port for /metrics and the status page; 0: no server' },
  'metrics-host': { type: 'string', defaultDescription: '"0.0.0.0"', describe: 'Address the HTTP server binds' },
  'web.listen-address': {
    type: 'string',
    defaultDescription: '"0.0.0.0:8006"',
    describe:
      'Instead of --metrics-host/--metrics-port: host:port, [IPv6]:port or :port (all addresses); repeat it to listen on more. Port 0: a free port',
  },
  'web.telemetry-path': { type: 'string', default: '/metrics', describe: 'Path of the metrics (the other paths stay)' },
  'check-interval': { type: 'string', default: '300', describe: 'Seconds between full passes (±10% jitter)' },
  'run-once': { type: 'boolean', default: false, describe: 'One pass over everything, write outputs, exit 0' },
  textfile: { type: 'string', describe: 'After every pass, write the coverage gauges here (Prometheus text format)' },
  'pixel-length': { type: 'string', default: '2', describe: 'Seconds a map pixel (must divide 3600)' },
  rows: { type: 'string', default: '300', describe: 'Map pixels a column (must divide 3600 / pixel length)' },
  watch: { type: 'boolean', default: true, describe: 'Watch the store and update live (--no-watch: passes only)' },
  concurrency: { type: 'string', default: '4', describe: 'Hour folders read at once in a pass' },
  'log-level': { type: 'string', defaultDescription: '"info"', describe: 'fatal, error, warn, info, debug or trace' },
  'log.level': { type: 'string', defaultDescription: '"info"', describe: "Same as --log-level (the exporters' spelling)" },
  'log.format': { type: 'string', default: 'json', describe: 'json or logfmt' },
  'make-page': {
    type: 'boolean',
    default: false,
    describe: 'Also write CHANNEL_QUALITY_coverage.html pages and index.html next to the maps',
  },
  'connection-string': {
    type: 'string',
    describe: 'Postgres DSN (key=value pairs or postgresql:// URI) whose nodes table lists the nodes the pages show',
  },
  user: {
    type: 'string',
    describe: 'Started as root: run as this user (name or uid[:gid]) once the port is bound and the output folder made',
  },
  'port-file': { type: 'string', describe: 'Write the URL of /healthz here once listening (read by the container HEALTHCHECK)' },
  'backdoor-port': { type: 'string', default: '0', describe: "The replaced checker's debugging shell: accepted and ignored" },
  'web.config.file': {
    type: 'string',
    describe: 'TLS and basic auth for the HTTP server: a YAML file in the format of Prometheus exporter-toolkit (node_exporter)',
  },
  'http-max-connections': {
    type: 'string',
    default: String(HTTP.maxConnections),
    describe: 'Open HTTP connections at most, the scrape reserve included',
  },
  'http-scrape-reserve': {
    type: 'string',
    default: String(HTTP.scrapeReserve),
    describe: 'Connections kept for /metrics, /healthz and /readyz, which serve nothing else',
  },
  'http-max-per-client': {
    type: 'string',
    default: String(HTTP.perClient),
    describe: 'Connections one client address (IPv6: its /64) holds outside the scrape reserve',
  },
  'http-max-event-streams': {
    type: 'string',
    default: String(HTTP.maxEventStreams),
    describe: 'Live-update streams (/api/v1/events) open at once',
  },
  'http-event-stall-seconds': {
    type: 'string',
    default: String(HTTP.eventStallMs / 1000),
    describe: 'Seconds a live-update stream may leave its data unread before it is dropped (the browser reconnects)',
  },
  'node-name': { type: 'string', describe: "This node's name on the fleet view [default: the host name]" },
  'peer-poll-ms': { type: 'string', default: '2000', describe: 'ms between asking the peers for their spans (fleet view, fleet gauges)' },
  'long-hole': {
    type: 'string',
    default: '60',
    describe: 'Seconds: a hole at least this long makes a channel/quality bad (shorter ones: warn)',
  },
  'max-age': {
    type: 'string',
    describe: 'Seconds: a newest segment that ended longer ago than this makes a channel/quality bad (recording stopped) [default: never]',
  },
  'history-keep-days': {
    type: 'string',
    default: '30',
    describe: 'Days the hole history (segcov-history.jsonl in --output-dir) keeps closed holes; open ones are kept whatever their age',
  },
} as const;
