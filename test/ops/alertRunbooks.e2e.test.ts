import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { makeTmpDir } from '../helpers/tmp.js';
import { configDir, repoRoot, requireBinary, run } from './opsHelpers.js';
import { metricNames, resolvedNames, type NamedRule } from './promqlNames.js';

interface Rule extends NamedRule {
  annotations?: Record<string, string>;
}

const rules = (
  YAML.parse(readFileSync(path.join(configDir, 'segcov.rules.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }
).groups.flatMap((g) => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => r.alert !== undefined);
const doc = readFileSync(path.join(repoRoot, 'docs', 'alerts.md'), 'utf8');

/** GitHub's heading anchor (github-slugger): lower case, punctuation dropped, spaces to '-', repeats numbered. */
function githubAnchors(headings: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return headings.map((h) => {
    const base = h
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}-${n}`;
  });
}

/** The markdown's headings (outside code blocks), and its level-2 sections by heading text. */
function outline(md: string): { headings: string[]; sections: Map<string, string> } {
  const headings: string[] = [];
  const sections = new Map<string, string>();
  let fenced = false;
  let current: string | null = null;
  for (const line of md.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const h = fenced ? null : /^(#{1,6}) (.+)$/.exec(line);
    if (h !== null) {
      headings.push(h[2]);
      current = h[1] === '##' ? h[2] : current;
      if (h[1] === '##') sections.set(current as string, '');
    } else if (current !== null) {
      sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
    }
  }
  return { headings, sections };
}

/** The queries of the ```promql blocks of a text: an indented line continues the query above. */
function promqlQueries(md: string): string[] {
  const out: string[] = [];
  for (const block of md.matchAll(/```promql\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      if (line.trim() === '') continue;
      if (/^\s/.test(line) && out.length > 0) out[out.length - 1] += `\n${line}`;
      else out.push(line);
    }
  }
  return out;
}

const { headings, sections } = outline(doc);
const anchors = new Set(githubAnchors(headings));

describe("alert runbooks (docs/alerts.md) and the rules' annotations", () => {
  test("the anchors are GitHub's", () => {
    assert.deepEqual(githubAnchors(['SegcovDown', 'Where the runbook links point', 'A `b`: c.d', 'SegcovDown']), [
      'segcovdown',
      'where-the-runbook-links-point',
      'a-b-cd',
      'segcovdown-1',
    ]);
  });

  test('every alert has a description and a runbook_url to its own section, all under one base', () => {
    assert.ok(alerts.length >= 15, `only ${alerts.length} alerts`);
    const bases = new Set<string>();
    for (const a of alerts) {
      assert.ok((a.annotations?.summary ?? '').length > 0, `${a.alert}: no summary`);
      assert.ok((a.annotations?.description ?? '').length > 20, `${a.alert}: no description`);
      const url = a.annotations?.runbook_url ?? '';
      const m = /^(https?:\/\/[^#\s{}]+\/docs\/alerts\.md)#([\w-]+)$/.exec(url);
      assert.ok(m !== null, `${a.alert}: runbook_url ${JSON.stringify(url)} is not BASE/docs/alerts.md#ANCHOR`);
      bases.add(m[1]);
      assert.equal(m[2], githubAnchors([a.alert])[0], `${a.alert}: the anchor is not its section's`);
      assert.ok(anchors.has(m[2]), `${a.alert}: docs/alerts.md has no heading for #${m[2]}`);
    }
    // one base, so that one sed points every runbook link elsewhere (docs/alerts.md says how)
    assert.equal(bases.size, 1, `runbook_url bases: ${[...bases].join(', ')}`);
    assert.ok(doc.includes([...bases][0]), 'docs/alerts.md names the base the rules use');
  });

  test("each alert's section says what it means, how to confirm it (a query of its own metrics) and what to do", () => {
    for (const a of alerts) {
      const body = sections.get(a.alert);
      assert.ok(body !== undefined, `no "## ${a.alert}" section`);
      for (const part of ['**Means.**', '**Confirm.**', '**Do.**']) assert.ok(body.includes(part), `${a.alert}: no ${part}`);
      const queries = promqlQueries(body);
      assert.ok(queries.length > 0, `${a.alert}: no promql block`);
      const read = new Set(queries.flatMap((q) => [...resolvedNames(q, rules)]));
      const reads = [...resolvedNames(a.expr, rules)];
      assert.ok(
        reads.some((n) => read.has(n)),
        `${a.alert}: its queries read none of ${reads.join(', ')}`,
      );
    }
    // and no section for an alert that no longer exists
    const names = new Set(alerts.map((a) => a.alert));
    for (const h of sections.keys()) if (h.startsWith('Segcov')) assert.ok(names.has(h), `section ${h} names no alert`);
  });

  test('every query of docs/alerts.md is valid PromQL (promtool check rules); every #link lands on a heading', async () => {
    const queries = promqlQueries(doc);
    assert.ok(queries.length >= alerts.length);
    assert.ok(
      queries.every((q) => metricNames(q).size > 0),
      'each query reads a metric',
    );
    const dir = await makeTmpDir('ops-runbooks');
    try {
      const file = path.join(dir, 'runbook-queries.yml');
      const recs = queries.map((expr, i) => ({ record: `runbook_query_${i}`, expr }));
      await writeFile(file, YAML.stringify({ groups: [{ name: 'runbooks', rules: recs }] }));
      const r = run(requireBinary('promtool', 'prometheus'), ['check', 'rules', file]);
      assert.equal(r.status, 0, `a runbook query does not parse:\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`SUCCESS: ${recs.length} rules found`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const m of doc.matchAll(/\]\(#([^)]+)\)/g)) assert.ok(anchors.has(m[1]), `link #${m[1]} has no heading`);
  });
});
