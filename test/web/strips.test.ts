import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUR_US, SECOND_US } from '../../src/coverage/types.js';
import { hourStripLine, spanStripLine, stripCells, stripText, useColor } from '../../src/terminal/hourStrip.js';
import { fillStrips } from '../../src/import/runImport.js';
import { hourUs } from './helpers/webFixture.js';

const H0 = hourUs('2026-11-01T05');

describe('one-character strips (check, fill)', () => {
  it('classifies each cell by the part of it inside the window: whole, partly missing, missing, not yet', () => {
    const window = { start: H0 + 30 * 60 * SECOND_US, end: H0 + 4 * HOUR_US };
    const holes = [
      { start: H0 + HOUR_US + 10 * SECOND_US, end: H0 + HOUR_US + 20 * SECOND_US },
      { start: H0 + 2 * HOUR_US, end: H0 + 3 * HOUR_US },
    ];
    // Hour 05 is whole from the window start (30 min in); 06 has a hole; 07 is gone; 08 starts after now.
    const cells = stripCells(H0, 4, HOUR_US, window, holes, H0 + 3 * HOUR_US);
    assert.deepEqual(cells, ['whole', 'partial', 'missing', 'future']);
    assert.equal(stripText(cells, false), '#+. ');
    assert.equal(stripText(cells, true), '\u001b[32m█\u001b[33m▒\u001b[31m░\u001b[90m·\u001b[0m');
  });

  it('a gap of at most 10 ms left in a cell still counts it as missing', () => {
    const window = { start: H0, end: H0 + HOUR_US };
    assert.deepEqual(stripCells(H0, 1, HOUR_US, window, [{ start: H0 + 5_000, end: H0 + HOUR_US }]), ['missing']);
  });

  it('check: one character per UTC hour, labelled with the first and last hour', () => {
    const line = hourStripLine(
      'c/q',
      { start: H0, end: H0 + 2 * HOUR_US + 1 },
      [{ start: H0, end: H0 + HOUR_US }],
      H0 + 10 * HOUR_US,
      false,
    );
    assert.equal(line, 'c/q  2026-11-01T05 |.##| 2026-11-01T07');
    assert.equal(hourStripLine('c/q', null, [], 0, false), 'c/q  (nothing recorded)');
    // A year of hours: several hours a character, still one line.
    const year = hourStripLine('c/q', { start: H0, end: H0 + 8760 * HOUR_US }, [], H0 + 9000 * HOUR_US, false);
    assert.match(year, /^c\/q {2}2026-11-01T05 \|#{166}\| 2027-11-01T04 \(53 hours a character\)$/);
  });

  it('fill: the same span before and after, in at most 60 characters', () => {
    const span = { start: H0, end: H0 + 120 * SECOND_US };
    const before = { span, holes: [{ start: H0 + 10 * SECOND_US, end: H0 + 20 * SECOND_US }], coveredUs: 110 * SECOND_US };
    const after = { span, holes: [], coveredUs: 120 * SECOND_US };
    const lines = fillStrips(before, after, false);
    assert.equal(lines[1], `before |${'#'.repeat(5)}${'.'.repeat(5)}${'#'.repeat(50)}| 2 s a character`);
    assert.equal(lines[2], `after  |${'#'.repeat(60)}| 2 s a character`);
    assert.equal(spanStripLine('x', { start: 0, end: 5 * SECOND_US }, [], false), 'x |#####| 1 s a character');
  });

  it('colour only on a terminal without NO_COLOR', () => {
    assert.equal(useColor({ isTTY: true }, {}), true);
    assert.equal(useColor({ isTTY: false }, {}), false);
    assert.equal(useColor({}, {}), false);
    assert.equal(useColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  });
});
