/**
 * A CPU profile of the production gateway under the throughput bench's load (issue #32): the
 * gateway runs as `npm start` runs it with `--cpu-prof`, one query loaded at 32 connections, and
 * the profile's self time is summed by package (or src/ file).
 *
 * The sampler charges the time a thread waits to run again to the frame it stopped in. On the
 * shared 2-core machine the gateway is preempted as its writes wake the load generator and the
 * stand-in, so the two write calls (`writev`, the answer; `writeLatin1String`, the call to Stripe)
 * collect 30-35 % of the samples while /proc puts all of the process's system time at 8-13 % of
 * its CPU. Hence a second column, the shares among the other samples, and the process's user and
 * system time and the share of its other threads (V8's GC helpers and compilers) over the run.
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
export function summarise(
  profile: Profile,
  lastMs: number,
  skip: readonly string[] = [],
): [string, number][] {
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
    if (bucket === '(idle)' || skip.includes(byId.get(id)!.callFrame.functionName)) continue;
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
/** CPU time in ms of the gateway's threads so far: user and system, the main thread's and the others'. */
function threadTimes(pid: number): { user: number; system: number; main: number; others: number } {
  const times = { user: 0, system: 0, main: 0, others: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]) * 10;
    const system = Number(fields[12]) * 10;
    times.user += user;
    times.system += system;
    if (tid === String(pid)) times.main += user + system;
    else times.others += user + system;
  }
  return times;
}

try {
  const before = threadTimes(gateway.pid);
  const figures = await measure(gateway, QUERIES[index]!.query);
  const after = threadTimes(gateway.pid);
  console.log(JSON.stringify(figures));
  const spent = (key: keyof typeof before) => after[key] - before[key];
  const total = spent('user') + spent('system');
  const share = (ms: number) => `${((100 * ms) / total).toFixed(1)} %`;
  // Warm-up included (a 10 ms clock tick each).
  console.log(
    `CPU: user ${share(spent('user'))}, system ${share(spent('system'))}; main thread ${share(spent('main'))}, other threads ${share(spent('others'))}`,
  );
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
const profile = JSON.parse(readFileSync(join(dir, newest), 'utf8')) as Profile;
const shares = summarise(profile, seconds * 1000);
const withoutWrites = new Map(summarise(profile, seconds * 1000, ['writev', 'writeLatin1String']));
console.log('share of busy time, and of the samples outside the two writes');
for (const [bucket, share] of shares.slice(0, 40)) {
  const other = withoutWrites.get(bucket);
  const second = other === undefined ? '      -' : `${(other * 100).toFixed(1).padStart(5)} %`;
  console.log(`${(share * 100).toFixed(1).padStart(5)} %  ${second}  ${bucket}`);
}
