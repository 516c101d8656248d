/** The small building blocks: redaction, Prometheus rendering, path templates, logger. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/server/logger.ts';
import { MetricRegistry } from '../../src/server/prometheus.ts';
import { createRedactor, REDACTED } from '../../src/server/redact.ts';

describe('createRedactor', () => {
  it('hides Stripe-shaped keys and configured secrets', () => {
    const redact = createRedactor(['my-odd-secret-1234']);
    expect(redact('key sk_test_4eC39HqLyjWDarjtT1zdp7dc and rk_live_abcdEFGH1234')).toBe(
      `key ${REDACTED} and ${REDACTED}`,
    );
    expect(redact('Bearer my-odd-secret-1234')).toBe(`Bearer ${REDACTED}`);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdHJpcGVfY3VzdG9tZXIiOiJjdXNfMSJ9.c2lnbmF0dXJlLWJ5dGVz';
    expect(redact(`token ${jwt}, alg none ${jwt.slice(0, jwt.lastIndexOf('.') + 1)} end`)).toBe(
      `token ${REDACTED}, alg none ${REDACTED} end`,
    );
    // Stripe's own masked form stays readable.
    expect(redact('Invalid API Key provided: sk_test_****1234')).toBe(
      'Invalid API Key provided: sk_test_****1234',
    );
  });
});

describe('Prometheus registry', () => {
  it('renders counters, histograms and gauges in the text format', () => {
    const registry = new MetricRegistry();
    const counter = registry.counter('things_total', 'Things.', ['kind']);
    counter.inc({ kind: 'a"b\\c\nd' });
    counter.inc({ kind: 'x' }, 2);
    const histogram = registry.histogram('latency_seconds', 'Latency.', ['op'], [0.1, 1]);
    histogram.observe({ op: 'q' }, 0.05);
    histogram.observe({ op: 'q' }, 0.5);
    histogram.observe({ op: 'q' }, 5);
    registry.gauge('up', 'Up.', () => 1);
    expect(registry.render()).toBe(
      [
        '# HELP things_total Things.',
        '# TYPE things_total counter',
        'things_total{kind="a\\"b\\\\c\\nd"} 1',
        'things_total{kind="x"} 2',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{op="q",le="0.1"} 1',
        'latency_seconds_bucket{op="q",le="1"} 2',
        'latency_seconds_bucket{op="q",le="+Inf"} 3',
        'latency_seconds_sum{op="q"} 5.55',
        'latency_seconds_count{op="q"} 3',
        '# HELP up Up.',
        '# TYPE up gauge',
        'up 1',
        '',
      ].join('\n'),
    );
  });
});

describe('createLogger', () => {
  it('writes one redacted JSON object per line, at or above its level', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      sink: (line) => lines.push(line),
      redact: createRedactor(['sk_test_configured']),
    });
    logger.debug('hidden');
    logger.child({ requestId: 'r1' }).error('failed', { error: new Error('with sk_test_configured inside') });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', msg: 'failed', requestId: 'r1' });
    expect(lines[0]).not.toContain('sk_test_configured');
    expect((line.error as { message: string }).message).toBe(`with ${REDACTED} inside`);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes every line as the whole record would be written, in its order', () => {
    // The record the line stands for, written the general way.
    const reference = (msg: string, base: Record<string, unknown>, fields?: Record<string, unknown>) =>
      JSON.stringify({ time: new Date().toISOString(), level: 'info', msg, ...base, ...fields }, (_k, v) =>
        v instanceof Error ? { name: v.name, message: v.message } : v,
      );
    const cases: [Record<string, unknown>, Record<string, unknown> | undefined][] = [
      [{}, undefined],
      [{}, {}],
      [
        { requestId: 'r1', auth: 'jwt' },
        { method: 'POST', path: '/graphql', status: 200, durationMs: 1.5 },
      ],
      [{ requestId: 'r1' }, { requestId: 'r2', status: 200 }],
      [{ requestId: 'r1' }, { msg: 'other', time: 'then', note: null, gone: undefined }],
      [{ b: 1 }, { a: 'x', 2: 'two', '01': 'zero one' }],
      [{ 7: 'seven' }, { z: true }],
      [{}, { quote: 'say "hi"\n', nested: { deep: [1, 2] }, error: { message: 'm' } }],
    ];
    vi.useFakeTimers();
    for (const ms of [0, 7, 42, 999, 1_000, 1_764_800_000_123]) {
      vi.setSystemTime(ms);
      for (const [base, fields] of cases) {
        const lines: string[] = [];
        const logger = createLogger({ level: 'info', sink: (line) => lines.push(line), redact: (t) => t });
        const child = Object.keys(base).length > 0 ? logger.child(base) : logger;
        child.info('request', fields);
        child.info('again', fields);
        expect(lines).toEqual([reference('request', base, fields), reference('again', base, fields)]);
      }
    }
  });
});
