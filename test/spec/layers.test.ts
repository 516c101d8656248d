/**
 * The folders of src/ are layers that import downward only:
 *
 *   server → schema → loaders → rest → spec
 *
 * with the emulator beside the gateway over the same spec (the CLI may start it in-process), and
 * client (the cache set-ups a client builds from the printed schema) a leaf. Every import between two
 * folders is read from the code (TypeScript's own `preProcessFile`: static imports, `import type`,
 * re-exports and `import()` of a literal) and must follow that order; and no two folders, at any
 * depth (`src/emulator` and `src/emulator/rules` too), may import each other, directly or round a
 * loop. To see the folder graph: `npx vitest run test/spec/layers.test.ts` names every offending file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

/** What each top-level folder of src/ may import, besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  server: ['schema', 'loaders', 'rest', 'spec', 'client', 'emulator'],
  schema: ['loaders', 'rest', 'spec', 'client'],
  loaders: ['rest', 'spec'],
  rest: ['spec'],
  spec: [],
  emulator: ['spec'],
  client: [],
};

/**
 * Upward imports that stand today, each to go with the work named beside it (the test fails on a
 * stale entry, as on a new upward import).
 */
const KNOWN_UPWARD: readonly string[] = [];

/**
 * Loops between folders that stand today, each with what closes it. An entry is removed when its
 * loop is gone (the test fails on a stale entry, as on a new loop).
 */
const KNOWN_LOOPS: readonly string[] = [];

/**
 * The emulator's rooms, by stage, and what each may import besides itself and spec/ (the top level,
 * `emulator`, assembles them and may import any). The engine holds the store and the request
 * context the rest runs on; money the helpers the rule books share (ledgers, plans, invoice lines);
 * handlers the generic operations; hosted the hosted flows' pages and links (which take the test
 * cards money models); request and transport the decoding of a request and the traffic in and out;
 * rules the rule books; seed the demo data.
 */
const EMULATOR_MAY_IMPORT: Record<string, readonly string[]> = {
  engine: [],
  money: ['engine'],
  handlers: ['engine', 'money'],
  hosted: ['engine', 'money'],
  request: ['engine'],
  transport: ['engine', 'money', 'request'],
  rules: ['engine', 'money', 'hosted', 'transport'],
  seed: ['engine', 'money', 'rules'],
};

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of every file under src/, as paths from the repository's root. */
function readImports(): Import[] {
  const imports: Import[] = [];
  for (const file of sourceFiles(SRC)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const to = relative(ROOT, join(dirname(file), fileName))
        .split('\\')
        .join('/');
      imports.push({ from: relative(ROOT, file).split('\\').join('/'), to });
    }
  }
  return imports;
}

/** The top-level folder of src/ a path lies in (`src/loaders/session.ts` → `loaders`). */
function layerOf(path: string): string {
  return path.split('/')[1] ?? '';
}

function folderOf(path: string): string {
  return posix.dirname(path).replace(/^src\/?/, '');
}

/**
 * The loops of a directed graph: its strongly connected components of more than one node
 * (Tarjan's algorithm), each sorted, listed in sorted order.
 */
function loopsOf(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((to) => [...to])]);
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) loops.push(component.sort());
  };
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return loops.sort((a, b) => a.join().localeCompare(b.join()));
}

function folderGraph(imports: readonly Import[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const { from, to } of imports) {
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a === b) continue;
    if (!edges.has(a)) edges.set(a, new Set());
    edges.get(a)!.add(b);
  }
  return edges;
}

describe('the layers of src/', () => {
  const imports = readImports();

  it('are read from the code', () => {
    expect(imports.some((i) => i.from === 'src/loaders/session.ts' && i.to === 'src/loaders/scope.ts')).toBe(
      true,
    );
    // import() of a literal counts too: the CLI starts the emulator lazily.
    expect(imports.some((i) => i.from === 'src/server/main.ts' && i.to === 'src/emulator/server.ts')).toBe(
      true,
    );
    expect(new Set(imports.map((i) => layerOf(i.from)))).toEqual(new Set(Object.keys(MAY_IMPORT)));
  });

  it('import downward only: server → schema → loaders → rest → spec, the emulator over spec', () => {
    const upward = imports
      .filter(({ from, to }) => {
        const [a, b] = [layerOf(from), layerOf(to)];
        return a !== b && !MAY_IMPORT[a]?.includes(b);
      })
      .map(({ from, to }) => `${from} → ${to}`);
    const stale = KNOWN_UPWARD.filter((known) => !upward.includes(known));
    expect({ upward: upward.filter((u) => !KNOWN_UPWARD.includes(u)), stale }).toEqual({
      upward: [],
      stale: [],
    });
  });

  it('form no loop between folders at any depth, beyond the known ones', () => {
    const graph = folderGraph(imports);
    const loops = loopsOf(graph).map((loop) => loop.join(' ⇄ '));
    const found = Object.fromEntries(
      loops.map((loop) => {
        const members = new Set(loop.split(' ⇄ '));
        const files = imports
          .filter(({ from, to }) => {
            const [a, b] = [folderOf(from), folderOf(to)];
            return a !== b && members.has(a) && members.has(b);
          })
          .map(({ from, to }) => `${from} → ${to}`);
        return [loop, files.join('; ')];
      }),
    );
    const unknown = Object.entries(found).filter(([loop]) => !KNOWN_LOOPS.includes(loop));
    const stale = KNOWN_LOOPS.filter((loop) => !(loop in found));
    expect({ unknown, stale }).toEqual({ unknown: [], stale: [] });
  });

  it('lay the emulator out by stage: each room imports only the rooms below it', () => {
    const room = (path: string) =>
      path.startsWith('src/emulator/') ? folderOf(path).split('/')[1] : undefined;
    const rooms = new Set(imports.flatMap(({ from }) => room(from) ?? []));
    expect(rooms).toEqual(new Set(Object.keys(EMULATOR_MAY_IMPORT)));
    const against = imports
      .filter(({ from, to }) => {
        const [a, b] = [room(from), room(to)];
        if (!a || a === b || !to.startsWith('src/emulator/')) return false;
        return !b || !EMULATOR_MAY_IMPORT[a]?.includes(b);
      })
      .map(({ from, to }) => `${from} → ${to}`);
    expect(against).toEqual([]);
  });

  it('finds a loop, and only a loop, in a graph it is given', () => {
    const graph = (pairs: string[]) => {
      const edges = new Map<string, Set<string>>();
      for (const pair of pairs) {
        const [a, b] = pair.split('>') as [string, string];
        if (!edges.has(a)) edges.set(a, new Set());
        edges.get(a)!.add(b);
      }
      return edges;
    };
    expect(loopsOf(graph(['a>b', 'b>c', 'a>c']))).toEqual([]);
    expect(loopsOf(graph(['a>b', 'b>c', 'c>a', 'c>d', 'd>e', 'e>d']))).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });
});
