/**
 * Fault injection for tests and benchmarks: latency (fixed or a random range), 429s, 500s and
 * dropped connections, each at a rate in [0, 1]. Off by default; set by options, at run time, or
 * from EMULATOR_LATENCY_MS (`50` or `10-50`), EMULATOR_ERROR_RATE_429, EMULATOR_ERROR_RATE_500 and
 * EMULATOR_DROP_RATE.
 */
import type { Random } from '../engine/random.ts';

export interface Faults {
  /** added to every request, in milliseconds: fixed, or uniform in `[min, max]` */
  latencyMs?: number | readonly [number, number];
  /** share of requests answered 429 (`rate_limit`, `Stripe-Should-Retry: true`) */
  errorRate429?: number;
  /** share of requests answered 500 (`api_error`) */
  errorRate500?: number;
  /** share of requests whose connection is destroyed without an answer */
  dropRate?: number;
}

export type FaultOutcome = 'drop' | '429' | '500' | undefined;

function rate(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new Error(`${name} must be a number between 0 and 1, got ${JSON.stringify(raw)}`);
  return value;
}

export function faultsFromEnv(env: NodeJS.ProcessEnv): Faults {
  const faults: Faults = {};
  const latency = env.EMULATOR_LATENCY_MS?.trim();
  if (latency) {
    const match = /^(\d+)(?:\s*[-,]\s*(\d+))?$/.exec(latency);
    if (!match)
      throw new Error(
        `EMULATOR_LATENCY_MS must be milliseconds (50) or a range (10-50), got ${JSON.stringify(latency)}`,
      );
    faults.latencyMs = match[2] === undefined ? Number(match[1]) : [Number(match[1]), Number(match[2])];
  }
  const rate429 = rate('EMULATOR_ERROR_RATE_429', env.EMULATOR_ERROR_RATE_429);
  if (rate429 !== undefined) faults.errorRate429 = rate429;
  const rate500 = rate('EMULATOR_ERROR_RATE_500', env.EMULATOR_ERROR_RATE_500);
  if (rate500 !== undefined) faults.errorRate500 = rate500;
  const drop = rate('EMULATOR_DROP_RATE', env.EMULATOR_DROP_RATE);
  if (drop !== undefined) faults.dropRate = drop;
  return faults;
}

export function latencyOf(faults: Faults, random: Random): number {
  const latency = faults.latencyMs;
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  return random.int(latency[0], latency[1]);
}

/** What happens to one request: dropped, 429, 500, or served. */
export function outcomeOf(faults: Faults, random: Random): FaultOutcome {
  if (faults.dropRate && random.next() < faults.dropRate) return 'drop';
  if (faults.errorRate429 && random.next() < faults.errorRate429) return '429';
  if (faults.errorRate500 && random.next() < faults.errorRate500) return '500';
  return undefined;
}
