import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConnectionString, parseKeyValueDsn, pgClientConfig } from '../../src/config/connectionString.js';
import { silentLogger } from '../../src/log.js';
import { NodeList, mergeNodes, type DbNode } from '../../src/nodes/nodeList.js';

describe('--connection-string parsing', () => {
  it('reads the libpq key=value form wubloader passes, quotes and escapes included', () => {
    assert.deepEqual(parseKeyValueDsn('dbname=wubloader user=vst password=x host=db'), [
      ['dbname', 'wubloader'],
      ['user', 'vst'],
      ['password', 'x'],
      ['host', 'db'],
    ]);
    assert.deepEqual(parseKeyValueDsn("password = 'a b\\'c' host=h\\ x"), [
      ['password', "a b'c"],
      ['host', 'h x'],
    ]);
    assert.deepEqual(pgClientConfig('host=db port=5433 dbname=w user=u password=p'), {
      host: 'db',
      port: 5433,
      database: 'w',
      user: 'u',
      password: 'p',
    });
  });
  it('hands URIs to pg as they are', () => {
    assert.deepEqual(pgClientConfig('postgresql://vst:x@db/wubloader'), { connectionString: 'postgresql://vst:x@db/wubloader' });
  });
  it('describes where a DSN points without its password, and refuses broken ones', () => {
    assert.equal(describeConnectionString('dbname=wubloader user=vst password=secret host=db'), 'vst@db/wubloader');
    assert.equal(describeConnectionString('postgresql://vst:secret@db:5432/wubloader'), 'vst@db:5432/wubloader');
    assert.throws(() => describeConnectionString("password='open"), /unterminated/);
    assert.throws(() => describeConnectionString('just words'), /key=value/);
    assert.throws(() => describeConnectionString('port=abc'), /port "abc"/);
  });
});

describe('node list', () => {
  it('merges database nodes (maps under /segments/OUTPUT_DIR) with peers (maps under /maps), a peer winning a name', () => {
    const merged = mergeNodes(
      [
        { name: 'b', url: 'https://b.example/' },
        { name: 'a', url: 'https://a.example' },
      ],
      { 'node-c': 'http://c:8006', b: 'http://b2:8006' },
      'coverage-maps',
    );
    assert.deepEqual(merged, [
      { name: 'a', mapBase: 'https://a.example/segments/coverage-maps' },
      { name: 'b', mapBase: 'http://b2:8006/maps' },
      { name: 'node-c', mapBase: 'http://c:8006/maps' },
    ]);
  });

  it('keeps the last list and counts the error when a read fails', async () => {
    let rows: DbNode[] | Error = [{ name: 'n1', url: 'http://n1' }];
    let errors = 0;
    const list = new NodeList({
      fetch: async () => {
        if (rows instanceof Error) throw rows;
        return rows;
      },
      peers: () => ({}),
      outputDirUrl: 'coverage-maps',
      log: silentLogger,
      onError: () => {
        errors += 1;
      },
    });
    assert.deepEqual(
      (await list.reload()).map((n) => n.name),
      ['n1'],
    );
    rows = new Error('connection refused');
    assert.deepEqual(
      (await list.reload()).map((n) => n.name),
      ['n1'],
    );
    assert.equal(errors, 1);
    rows = [{ name: 'n2', url: 'http://n2' }];
    assert.deepEqual(
      (await list.reload()).map((n) => n.name),
      ['n2'],
    );
    assert.equal(list.loads, 2);
  });
});
