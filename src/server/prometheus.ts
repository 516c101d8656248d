/**
 * A small Prometheus registry: counters, histograms and gauges with labels, rendered in the text
 * exposition format (version 0.0.4).
 *
 * Not prom-client: it does the same work at about twice the CPU on the request path. `npm run
 * bench -- observability`, the metrics one query with three Stripe calls records (2 counters and
 * 2 histograms for the operation and HTTP request, a counter and a histogram per Stripe call), CPU
 * per request on the 2-core machine: this registry 1.84 µs, prom-client 15 3.87 µs (a second
 * run: 1.76 and 3.50 µs).
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels<Name extends string> = Readonly<Record<Name, string | number | boolean>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function renderLabels(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

interface Metric {
  readonly name: string;
  render(): string;
}

abstract class Labelled<Name extends string, Value> implements Metric {
  protected readonly series = new Map<string, { values: string[]; value: Value }>();

  constructor(
    readonly name: string,
    protected readonly help: string,
    protected readonly labelNames: readonly Name[],
  ) {}

  /** The series key: the label values joined (a string built directly, no array per call). */
  protected keyOf(labels: Labels<Name>): string {
    const names = this.labelNames;
    let key = names.length === 0 ? '' : String(labels[names[0]!]);
    for (let i = 1; i < names.length; i++) key += `\u0000${String(labels[names[i]!])}`;
    return key;
  }

  protected entry(labels: Labels<Name>, create: () => Value): Value {
    const key = this.keyOf(labels);
    let found = this.series.get(key);
    if (!found) {
      found = { values: this.labelNames.map((name) => String(labels[name])), value: create() };
      this.series.set(key, found);
    }
    return found.value;
  }

  protected header(type: string): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${type}\n`;
  }

  abstract render(): string;
}

const newCount = (): { n: number } => ({ n: 0 });

export class Counter<Name extends string = never> extends Labelled<Name, { n: number }> {
  inc(labels: Labels<Name>, by = 1): void {
    this.entry(labels, newCount).n += by;
  }

  /** The current value for a label set (0 when never incremented). */
  get(labels: Labels<Name>): number {
    return this.series.get(this.keyOf(labels))?.value.n ?? 0;
  }

  render(): string {
    let out = this.header('counter');
    for (const { values, value } of this.series.values()) {
      out += `${this.name}${renderLabels(this.labelNames, values)} ${formatNumber(value.n)}\n`;
    }
    return out;
  }
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram<Name extends string = never> extends Labelled<Name, HistogramSeries> {
  private readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly Name[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  /** One function for every call, not a closure per observation. */
  private readonly newSeries = (): HistogramSeries => ({
    counts: this.buckets.map(() => 0),
    sum: 0,
    count: 0,
  });

  observe(labels: Labels<Name>, value: number): void {
    const series = this.entry(labels, this.newSeries);
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  render(): string {
    let out = this.header('histogram');
    for (const { values, value } of this.series.values()) {
      this.buckets.forEach((le, i) => {
        out += `${this.name}_bucket${renderLabels(this.labelNames, values, ['le', formatNumber(le)])} ${value.counts[i]}\n`;
      });
      out += `${this.name}_bucket${renderLabels(this.labelNames, values, ['le', '+Inf'])} ${value.count}\n`;
      out += `${this.name}_sum${renderLabels(this.labelNames, values)} ${formatNumber(value.sum)}\n`;
      out += `${this.name}_count${renderLabels(this.labelNames, values)} ${value.count}\n`;
    }
    return out;
  }
}

/** A gauge read when the registry renders. */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly collect: () => number,
  ) {}

  render(): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} gauge\n${this.name} ${formatNumber(this.collect())}\n`;
  }
}

export class MetricRegistry {
  private readonly metrics = new Map<string, Metric>();

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter<Name extends string = never>(
    name: string,
    help: string,
    labelNames: readonly Name[] = [],
  ): Counter<Name> {
    return this.add(new Counter<Name>(name, help, labelNames));
  }

  histogram<Name extends string = never>(
    name: string,
    help: string,
    labelNames: readonly Name[],
    buckets: readonly number[],
  ): Histogram<Name> {
    return this.add(new Histogram<Name>(name, help, labelNames, buckets));
  }

  gauge(name: string, help: string, collect: () => number): Gauge {
    return this.add(new Gauge(name, help, collect));
  }

  render(): string {
    return [...this.metrics.values()].map((metric) => metric.render()).join('');
  }
}
