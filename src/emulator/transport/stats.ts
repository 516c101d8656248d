/** Request counts, for tests and benchmarks that count upstream calls. */

export interface EmulatorStats {
  /** every request received, including faulted and rejected ones */
  total: number;
  /** by `METHOD /path/{template}`; unmatched paths count under `METHOD (unmatched)` */
  byRoute: Record<string, number>;
  /** by HTTP status answered (`drop` for dropped connections) */
  byStatus: Record<string, number>;
}

export class StatsCounter {
  private total = 0;
  private byRoute = new Map<string, number>();
  private byStatus = new Map<string, number>();

  request(route: string): void {
    this.total++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  status(status: number | 'drop'): void {
    const key = String(status);
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
  }

  snapshot(): EmulatorStats {
    return {
      total: this.total,
      byRoute: Object.fromEntries(this.byRoute),
      byStatus: Object.fromEntries(this.byStatus),
    };
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
    this.byStatus.clear();
  }
}
