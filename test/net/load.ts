/**
 * A load generator in its own process (so that the emulator, in the test's process, counts arrivals
 * without competing with it for the event loop): `node --import tsx test/net/load.ts <ms>
 * <clients per URL> <query> <url>…` sends the query from that many clients per URL, one after
 * another, for that long, and prints `{"ok":n,"codes":{"CODE":n}}`.
 */
const [duration, clients, query, ...urls] = process.argv.slice(2);
const until = Date.now() + Number(duration);
const codes: Record<string, number> = {};
let ok = 0;

async function client(url: string): Promise<void> {
  while (Date.now() < until) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    if (!body.errors) ok++;
    for (const error of body.errors ?? []) {
      const code = error.extensions?.code ?? 'UNTYPED';
      codes[code] = (codes[code] ?? 0) + 1;
    }
  }
}

await Promise.all(urls.flatMap((url) => Array.from({ length: Number(clients) }, () => client(url))));
process.stdout.write(`${JSON.stringify({ ok, codes })}\n`);
