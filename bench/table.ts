/** The row every benchmark returns, and a plain-text table printer for them. */

export type BenchRow = {
  /** Which benchmark and scenario, e.g. `rest: retrieve customer, concurrency 32`. */
  bench: string;
  /** What was measured, e.g. `ours req/s`. */
  metric: string;
  value: number;
  unit: string;
};

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['bench', 'metric', 'value', 'unit'];
  const cells = rows.map((row) => [row.bench, row.metric, formatValue(row.value), row.unit]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((cell) => cell[i]!.length)));
  const line = (cell: readonly string[]): string =>
    cell
      .map((text, i) => (i === 2 ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function printTable(rows: readonly BenchRow[]): void {
  console.log(formatTable(rows));
}
