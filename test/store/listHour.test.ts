import assert from 'node:assert/strict';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseHourName } from '../../src/store/hourName.js';
import { readHour, selectSegmentNames } from '../../src/store/listHour.js';
import { listHourFolders } from '../../src/store/listHours.js';
import type { ProblemKind } from '../../src/store/problems.js';
import { makeTmpDir } from '../helpers/tmp.js';

const H = parseHourName('2026-11-01T00') as number;

function collector() {
  const seen: { kind: ProblemKind; path: string }[] = [];
  return {
    seen,
    report: (kind: ProblemKind, p: string) => {
      seen.push({ kind, path: p });
    },
  };
}

describe('listing an hour', () => {
  it('keeps .ts names, drops hidden ones and tombstoned ones', () => {
    const names = ['a.ts', '.b.ts', 'c.ts', 'c.tombstone', 'd.txt', 'e.ts.tmp', '.f.tombstone', 'f.ts'];
    assert.deepEqual(selectSegmentNames(names), ['a.ts', 'f.ts']);
  });

  it('stats only the files whose size decides, and drops one that vanished', async () => {
    const dir = await makeTmpDir('hour');
    try {
      await writeFile(path.join(dir, '00:00-2-suspect-AAAA.ts'), 'x'.repeat(10));
      await writeFile(path.join(dir, '00:00-2-suspect-BBBB.ts'), 'x'.repeat(5));
      // listed but gone before its stat: a dangling link behaves exactly like that
      await symlink(path.join(dir, 'nowhere'), path.join(dir, '00:00-2-suspect-CCCC.ts'));
      await symlink(path.join(dir, 'nowhere'), path.join(dir, '00:02-2-full-DDDD.ts')); // no stat needed: kept
      await writeFile(path.join(dir, 'junk.ts'), '');
      const c = collector();
      const input = await readHour(dir, '2026-11-01T00', H, c.report);
      assert.ok(input !== null);
      assert.equal(input.bad, 1);
      const names = input.segments.map((s) => s.name).sort();
      assert.deepEqual(names, ['00:00-2-suspect-AAAA.ts', '00:00-2-suspect-BBBB.ts', '00:02-2-full-DDDD.ts']);
      assert.equal(input.segments.find((s) => s.name.includes('AAAA'))?.size, 10);
      assert.equal(input.segments.find((s) => s.name.includes('DDDD'))?.size, undefined);
      assert.deepEqual(c.seen.map((s) => s.kind).sort(), ['bad_name', 'vanished']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an hour that cannot be listed instead of failing', async () => {
    const dir = await makeTmpDir('loop');
    try {
      await symlink(path.join(dir, 'loop'), path.join(dir, 'loop'));
      const c = collector();
      assert.equal(await readHour(path.join(dir, 'loop'), 'x', H, c.report), null);
      assert.equal(c.seen[0].kind, 'unreadable');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('listing hour folders', () => {
  it('sorts hours, applies the window and reports what is skipped', async () => {
    const dir = await makeTmpDir('hours');
    try {
      for (const h of ['2026-11-01T02', '2026-11-01T00', '2026-11-01T01', 'coverage-maps', '.2026-11-01T03', '2026-11-01']) {
        await mkdir(path.join(dir, h));
      }
      await writeFile(path.join(dir, '2026-11-01T04'), 'a file, not an hour folder');
      await symlink(path.join(dir, '2026-11-01T05'), path.join(dir, '2026-11-01T05')); // link loop
      const c = collector();
      const all = await listHourFolders(dir, {}, c.report);
      assert.deepEqual(
        all.map((h) => h.name),
        ['2026-11-01T00', '2026-11-01T01', '2026-11-01T02'],
      );
      const kinds = c.seen.map((s) => `${s.kind}:${path.basename(s.path)}`).sort();
      assert.deepEqual(kinds, [
        'not_a_folder:2026-11-01T04',
        'skipped_folder:.2026-11-01T03',
        'skipped_folder:2026-11-01',
        'skipped_folder:coverage-maps',
        'unreadable:2026-11-01T05',
      ]);
      const win = await listHourFolders(dir, { firstHour: H + 3_600_000_000, lastHour: H + 3_600_000_000 }, () => {});
      assert.deepEqual(
        win.map((h) => h.name),
        ['2026-11-01T01'],
      );
      const missing = collector();
      assert.deepEqual(await listHourFolders(path.join(dir, 'nope'), {}, missing.report), []);
      assert.equal(missing.seen[0].kind, 'missing_base');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
