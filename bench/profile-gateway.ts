/**
 * A CPU profile of the production gateway under the throughput bench's load (issue #32): the
 * gateway runs as `npm start` runs it with `--cpu-prof`, one query loaded at 32 connections, and
 * the profile's self time is summed by package (or src/ file).
 *
 *   npx tsx bench/profile-gateway.ts [query index 0-3] [out dir]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDist } from './server.ts';
import { measure, QUERIES, startGateway, startStandIn } from './throughput.ts';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
}

function bucketOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : `(native) ${fn}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  const src = url.indexOf('/dist/');
  return src >= 0 ? url.slice(src + 1) : url;
}

/**
 * Self time by bucket over the profile's last `lastMs` (the load, not the start-up), in shares of
 * busy (non-idle) time. A native frame (a system call, JSON.parse) is named with its caller's bucket.
 */
export function summarise(profile: Profile, lastMs: number): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const from = profile.endTime - lastMs * 1000;
  const self = new Map<number, number>();
  let t = profile.endTime - profile.timeDeltas.reduce((a, b) => a + b, 0);
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t >= from) self.set(id, (self.get(id) ?? 0) + delta);
  });
  const bucketOfNode = (id: number): string => {
    const node = byId.get(id)!;
    const bucket = bucketOf(node.callFrame.url, node.callFrame.functionName);
    if (!bucket.startsWith('(native)')) return bucket;
    let up = parent.get(id);
    while (up !== undefined && byId.get(up)!.callFrame.url === '') up = parent.get(up);
    return up === undefined ? bucket : `${bucket} ← ${bucketOfNode(up)}`;
  };
  const buckets = new Map<string, number>();
  let busy = 0;
  for (const [id, time] of self) {
    const bucket = bucketOfNode(id);
    if (bucket === '(idle)') continue;
    busy += time;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + time);
  }
  return [...buckets].map(([k, v]) => [k, v / busy] as [string, number]).sort((a, b) => b[1] - a[1]);
}

const index = Number(process.argv[2] ?? 0);
const dir = process.argv[3] ?? '/tmp/fastpath-prof';
buildDist();
const standIn = await startStandIn();
const gateway = await startGateway(
  { name: 'after', root: join(import.meta.dirname, '..') },
  { NODE_ENV: 'production', STRIPE_SECRET_KEY: standIn.key, STRIPE_API_BASE: standIn.url },
  ['--cpu-prof', `--cpu-prof-dir=${dir}`],
);
try {
  const figures = await measure(gateway, QUERIES[index]!.query);
  console.log(JSON.stringify(figures));
} finally {
  await gateway.child.stop();
  await standIn.child.stop();
}
const newest = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()
  .at(-1)!;
// The measured run, without its warm-up and the start-up before it.
const seconds = Number(process.env.THROUGHPUT_SECONDS ?? 8);
const shares = summarise(JSON.parse(readFileSync(join(dir, newest), 'utf8')) as Profile, seconds * 1000);
for (const [bucket, share] of shares.slice(0, 40))
  console.log(`${(share * 100).toFixed(1).padStart(5)} %  ${bucket}`);
