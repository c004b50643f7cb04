import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './cli.js';

const run = promisify(execFile);

/** The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/N/bin). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error('no PostgreSQL server found under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
}

/** postgres refuses to run as root: where we are root, its programs run as `nobody`. */
const AS_USER = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];

/** Runs in the cluster's own folder: the checkout (the test's working folder) may be unreadable to nobody. */
async function asUser(bin: string, args: string[], cwd: string): Promise<void> {
  const cmd = [...AS_USER, bin, ...args];
  await run(cmd[0], cmd.slice(1), { env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000, cwd });
}

/** A throwaway PostgreSQL cluster on 127.0.0.1, trust auth, superuser `postgres`. */
export class TestPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static async create(): Promise<TestPostgres> {
    const bin = postgresBinDir();
    // not on /dev/shm: postgres wants its own shared memory there
    const dir = await mkdtemp(path.join(tmpdir(), 'segcov-pg-'));
    if (AS_USER.length > 0) await chown(dir, 65534, 65534);
    const pgData = path.join(dir, 'data');
    await asUser(path.join(bin, 'initdb'), ['-D', pgData, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], dir);
    const db = new TestPostgres(dir, await freePort(), bin);
    await db.start();
    return db;
  }

  /** Starts (or restarts) the server and waits until it accepts connections. */
  async start(): Promise<void> {
    await asUser(
      path.join(this.bin, 'pg_ctl'),
      [
        '-D',
        path.join(this.dir, 'data'),
        '-l',
        path.join(this.dir, 'log'),
        '-w',
        '-t',
        '120',
        '-o',
        `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      ],
      this.dir,
    );
  }

  /** Stops the server at once (connections are cut), as a crashed database would. */
  async stop(): Promise<void> {
    await asUser(path.join(this.bin, 'pg_ctl'), ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop'], this.dir);
  }

  /** libpq key=value form, as wubloader's compose passes it. */
  dsn(database = 'wubloader'): string {
    return `host=127.0.0.1 port=${this.port} dbname=${database} user=postgres`;
  }

  uri(database = 'wubloader'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Runs SQL in a database (default `postgres`). */
  async sql(text: string, database = 'postgres'): Promise<pg.QueryResult> {
    const c = new pg.Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database });
    await c.connect();
    try {
      return await c.query(text);
    } finally {
      await c.end();
    }
  }

  /** Creates database `wubloader` with wubloader's `nodes` table. */
  async createWubloaderDb(): Promise<void> {
    await this.sql('CREATE DATABASE wubloader');
    await this.sql(
      `CREATE TABLE nodes (
      name TEXT PRIMARY KEY,
      url TEXT NOT NULL,
      backfill_from BOOLEAN NOT NULL DEFAULT TRUE
    )`,
      'wubloader',
    );
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}
