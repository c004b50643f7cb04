import type { Logger } from '../log.js';
import { errorMessage } from '../errorMessage.js';

/** A node whose coverage maps the pages show. */
export interface NodeRef {
  readonly name: string;
  /** URL of the folder holding the node's map files (the file name is appended). */
  readonly mapBase: string;
}

/** A row of wubloader's `nodes` table (`SELECT name, url FROM nodes WHERE backfill_from`). */
export interface DbNode {
  readonly name: string;
  readonly url: string;
}

/**
 * The nodes a page shows: the database's (maps at `URL/segments/OUTPUT_DIR/FILE`, where
 * wubloader's nginx serves them, as the replaced checker linked them) merged with the
 * config's `peers:` (segcov nodes: maps at `URL/maps/FILE`). A peer of the same name as
 * a database node wins: the config is the operator's explicit word. Sorted by name.
 */
export function mergeNodes(db: readonly DbNode[], peers: Readonly<Record<string, string>>, outputDirUrl: string): NodeRef[] {
  const byName = new Map<string, NodeRef>();
  const trim = (u: string): string => u.replace(/\/+$/, '');
  for (const n of db) byName.set(n.name, { name: n.name, mapBase: `${trim(n.url)}/segments/${outputDirUrl}` });
  for (const [name, url] of Object.entries(peers)) byName.set(name, { name, mapBase: `${trim(url)}/maps` });
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface NodeListOptions {
  /** Reads the database's nodes; absent without `--connection-string`. */
  readonly fetch?: () => Promise<DbNode[]>;
  /** `peers:` of the config, read at every use (a reload may change them). */
  readonly peers: () => Readonly<Record<string, string>>;
  /** OUTPUT_DIR as it appears in the nodes' URLs (relative to their segments folder). */
  readonly outputDirUrl: string;
  readonly log: Logger;
  /** Called once per failed read (the daemon counts it in segcov_errors_total). */
  readonly onError: (e: unknown) => void;
}

/**
 * The node list of the pages. `reload()` re-reads the database (every page write does);
 * a database that is down, refuses or times out is logged and counted, and the last
 * list read stays in use. It never throws: no database problem stops the daemon.
 */
export class NodeList {
  private db: DbNode[] = [];
  private loading: Promise<readonly NodeRef[]> | null = null;
  /** Successful reads so far (tests and logs). */
  loads = 0;

  constructor(private readonly opts: NodeListOptions) {}

  /** The nodes as last read, merged with the peers. */
  current(): NodeRef[] {
    return mergeNodes(this.db, this.opts.peers(), this.opts.outputDirUrl);
  }

  /** Re-reads the database (reads asked for while one runs share it); returns the list. */
  reload(): Promise<readonly NodeRef[]> {
    const fetch = this.opts.fetch;
    if (fetch === undefined) return Promise.resolve(this.current());
    this.loading ??= fetch()
      .then((rows) => {
        const before = this.db.map((n) => `${n.name}=${n.url}`).join(' ');
        this.db = rows;
        this.loads += 1;
        if (rows.map((n) => `${n.name}=${n.url}`).join(' ') !== before)
          this.opts.log.info({ nodes: rows.map((n) => n.name) }, 'node list read from the database');
      })
      .catch((e: unknown) => {
        this.opts.onError(e);
        this.opts.log.error(
          { err: errorMessage(e), kept: this.db.map((n) => n.name) },
          'cannot read the node list from the database; keeping the last one',
        );
      })
      .then(() => this.current())
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
