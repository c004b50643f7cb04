import type http from 'node:http';
import type https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { AuthThrottle } from './authThrottle.js';
import { BasicAuth } from './basicAuth.js';
import { clientKey } from './clientAddress.js';
import { PasswordChecks } from './passwordChecks.js';
import { secureContextOptions, type TlsSettings, type WebConfig } from './webConfig.js';

/** Node's per-connection client-certificate switches for a client_auth_type. */
function certSwitches(s: TlsSettings): { requestCert: boolean; rejectUnauthorized: boolean } {
  return {
    requestCert: s.clientAuth !== 'NoClientCert',
    rejectUnauthorized: s.clientAuth === 'RequireAndVerifyClientCert',
  };
}

/**
 * The TLS half of `--web.config.file`. Node checks RequireAndVerifyClientCert itself;
 * the two modes it has no switch for (RequireAnyClientCert, VerifyClientCertIfGiven) are
 * enforced here once the handshake is done, by closing the connection.
 */
export class TlsGate {
  constructor(private settings: TlsSettings) {}

  serverOptions(): https.ServerOptions {
    return { ...secureContextOptions(this.settings), ...certSwitches(this.settings) };
  }

  checkClient(socket: TLSSocket): void {
    const mode = this.settings.clientAuth;
    const given = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
    if ((mode === 'RequireAnyClientCert' && !given) || (mode === 'VerifyClientCertIfGiven' && given && !socket.authorized))
      socket.destroy();
  }

  /** New files and modes apply to the next connections (open ones keep theirs). */
  apply(settings: TlsSettings, server: https.Server): void {
    server.setSecureContext(secureContextOptions(settings));
    // tls.Server reads these two fields for every new connection; setSecureContext leaves them.
    Object.assign(server, certSwitches(settings));
    this.settings = settings;
  }
}

/** Answers a request that is refused. */
export type Denial = (res: http.ServerResponse) => void;

const unauthorized: Denial = (res) => {
  res.writeHead(401, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'www-authenticate': 'Basic realm="segcov", charset="UTF-8"',
  });
  res.end('unauthorized\n');
};

const tooMany =
  (retryAfter: number): Denial =>
  (res) => {
    res.writeHead(429, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': String(retryAfter) });
    res.end('too many wrong passwords; try again later\n');
  };

/** TLS and basic auth from `--web.config.file`, swappable while the server runs. */
export class WebGate {
  readonly tls: TlsGate | null;
  private config: WebConfig;
  private auth: BasicAuth;
  // one worker for the daemon's life; the throttle starts afresh with each applied file, as
  // failures before it may have been a client's right password for the next one (a rotation)
  private readonly checks = new PasswordChecks();

  /** `onAuth`: told of wrong credentials (`failed`) and of refusals unchecked (`throttled`, a 429). */
  constructor(
    config: WebConfig,
    private readonly onAuth: (outcome: 'failed' | 'throttled', client: string | undefined) => void = () => {},
  ) {
    this.config = config;
    this.tls = config.tls === null ? null : new TlsGate(config.tls);
    this.auth = new BasicAuth(config.users, this.checks, new AuthThrottle());
  }

  /** null when the request may go on, else how to refuse it. */
  async check(req: http.IncomingMessage, pathname: string): Promise<Denial | null> {
    if (!this.auth.enabled || this.config.unauthenticatedPaths.has(pathname)) return null;
    const address = req.socket.remoteAddress;
    const verdict = await this.auth.verify(req.headers.authorization, clientKey(address));
    if (verdict === 'right') return null;
    if (typeof verdict === 'object') {
      this.onAuth('throttled', address);
      return tooMany(verdict.retryAfter);
    }
    if (verdict === 'wrong') this.onAuth('failed', address);
    return unauthorized;
  }

  /** Ends the password worker. */
  close(): void {
    this.checks.close();
  }

  /** Swaps in a re-read config. TLS cannot be turned on or off without a restart. */
  apply(config: WebConfig, server: https.Server): void {
    if ((config.tls === null) !== (this.tls === null)) {
      throw new Error(
        `tls_server_config ${config.tls === null ? 'removed' : 'added'}: turning TLS on or off needs a restart; keeping the previous settings`,
      );
    }
    if (this.tls !== null && config.tls !== null) this.tls.apply(config.tls, server);
    this.config = config;
    this.auth = new BasicAuth(config.users, this.checks, new AuthThrottle());
  }
}
