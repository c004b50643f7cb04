/** Rows as aligned text columns (three spaces apart, the last column unpadded), each line indented. */
export function textTable(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map(
    (r) =>
      indent +
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('   ')
        .trimEnd(),
  );
}
