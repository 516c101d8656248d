/**
 * Cold start: process start to schema ready (a fresh Node process per run), from the compiled
 * JavaScript as `npm start` runs it (built first) and from the TypeScript under tsx, and the
 * schema's size.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDist } from './server.ts';
import { type BenchRow, printTable } from './table.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = 5;

interface Ready {
  readyMs: number;
  types: number;
  objects: number;
  fields: number;
  rssMb: number;
  heapMb: number;
}

function coldStart(args: string[] = [], from: 'dist' | 'src' = 'dist'): Ready {
  const loader = from === 'src' ? ['--import', 'tsx'] : [];
  const out = execFileSync(process.execPath, [...loader, join(here, 'schema-ready.mjs'), from, ...args], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Ready;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchSchema(): Promise<BenchRow[]> {
  buildDist();
  coldStart(); // warm the file system cache
  coldStart([], 'src'); // and tsx's transform cache
  const runs = Array.from({ length: RUNS }, () => coldStart());
  const underTsx = Array.from({ length: RUNS }, () => coldStart([], 'src'));
  const last = runs[runs.length - 1]!;
  const withoutPreview = Array.from({ length: RUNS }, () => coldStart(['--no-preview']));
  const bench = 'schema: cold start';
  return [
    {
      bench,
      metric: `process start → schema ready (median of ${RUNS})`,
      value: median(runs.map((r) => r.readyMs)),
      unit: 'ms',
    },
    { bench, metric: 'slowest run', value: Math.max(...runs.map((r) => r.readyMs)), unit: 'ms' },
    {
      bench,
      metric: `… from src/ under tsx (median of ${RUNS})`,
      value: median(underTsx.map((r) => r.readyMs)),
      unit: 'ms',
    },
    { bench, metric: '… RSS under tsx', value: median(underTsx.map((r) => r.rssMb)), unit: 'MiB' },
    {
      bench,
      metric: `… without the preview resources (median of ${RUNS})`,
      value: median(withoutPreview.map((r) => r.readyMs)),
      unit: 'ms',
    },
    { bench, metric: 'RSS at schema ready', value: median(runs.map((r) => r.rssMb)), unit: 'MiB' },
    { bench, metric: 'heap used at schema ready', value: median(runs.map((r) => r.heapMb)), unit: 'MiB' },
    { bench: 'schema: size', metric: 'named types', value: last.types, unit: 'types' },
    { bench: 'schema: size', metric: 'object types', value: last.objects, unit: 'types' },
    {
      bench: 'schema: size',
      metric: 'named types without the preview resources',
      value: withoutPreview[0]!.types,
      unit: 'types',
    },
    {
      bench: 'schema: size',
      metric: 'fields (objects, interfaces, inputs)',
      value: last.fields,
      unit: 'fields',
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await benchSchema());
