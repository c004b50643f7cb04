/** Prometheus text without blank lines (prom-client leaves one after a family with no series). */
export function dropBlankLines(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
