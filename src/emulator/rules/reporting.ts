/**
 * Reporting: a report run succeeds at once with its result, a CSV file (`finance_report_run`)
 * built from the ledger's balance transactions in the run's interval (`parameters.interval_start`
 * inclusive to `interval_end` exclusive; `parameters.currency` narrows them), in the run's
 * `parameters.columns` or the report type's `default_columns`. An `itemized` report type lists one
 * row per balance transaction; the others sum them per `reporting_category` and currency.
 * Amounts are in major units, as Stripe's reports show them. The file's `url` is served by the
 * emulator (file-contents.ts).
 */
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { contentsUrl, writeFileContents } from '../engine/file-contents.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';

const major = (minor: number) => (minor / 100).toFixed(2);
const utc = (seconds: Json | undefined) =>
  typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19) : '';

/** An itemized report's columns, from a balance transaction. */
const ITEMIZED: Readonly<Record<string, (t: JsonObject) => Json>> = {
  balance_transaction_id: (t) => t.id ?? null,
  created_utc: (t) => utc(t.created),
  available_on_utc: (t) => utc(t.available_on),
  currency: (t) => t.currency ?? null,
  gross: (t) => major(Number(t.amount ?? 0)),
  fee: (t) => major(Number(t.fee ?? 0)),
  net: (t) => major(Number(t.net ?? 0)),
  reporting_category: (t) => t.reporting_category ?? null,
  source_id: (t) => (typeof t.source === 'string' ? t.source : null),
  description: (t) => t.description ?? null,
};

interface Sum {
  category: string;
  currency: string;
  count: number;
  gross: number;
  fee: number;
  net: number;
}

/** A summary report's columns, from the sum of one category's transactions. */
const SUMMARY: Readonly<Record<string, (s: Sum) => Json>> = {
  category: (s) => s.category,
  currency: (s) => s.currency,
  count: (s) => s.count,
  gross: (s) => major(s.gross),
  fee: (s) => major(s.fee),
  net_amount: (s) => major(s.net),
};

/** A CSV field, quoted when it needs to be. */
const field = (value: Json | undefined): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The ledger's rows for a run's parameters, oldest first. */
function transactions(ctx: Ctx, parameters: JsonObject): JsonObject[] {
  const start = typeof parameters.interval_start === 'number' ? parameters.interval_start : -Infinity;
  const end = typeof parameters.interval_end === 'number' ? parameters.interval_end : Infinity;
  const currency = typeof parameters.currency === 'string' ? parameters.currency : undefined;
  return [...ctx.scope.all('balance_transaction')]
    .map((entry) => entry.data)
    .filter((t) => {
      const created = Number(t.created);
      return created >= start && created < end && (currency === undefined || t.currency === currency);
    })
    .sort((a, b) => Number(a.created) - Number(b.created));
}

function sums(rows: readonly JsonObject[]): Sum[] {
  const out = new Map<string, Sum>();
  for (const t of rows) {
    const category = String(t.reporting_category ?? t.type);
    const currency = String(t.currency ?? 'usd');
    const key = `${category}\u0000${currency}`;
    const sum = out.get(key) ?? { category, currency, count: 0, gross: 0, fee: 0, net: 0 };
    sum.count++;
    sum.gross += Number(t.amount ?? 0);
    sum.fee += Number(t.fee ?? 0);
    sum.net += Number(t.net ?? 0);
    out.set(key, sum);
  }
  return [...out.values()].sort((a, b) => a.category.localeCompare(b.category));
}

/**
 * The CSV of a report over balance transactions, in `columns` (the run's `parameters.columns`,
 * else the report type's `default_columns`); a column the report does not have is refused.
 */
export function reportCsv(
  reportType: string,
  wanted: readonly string[],
  rows: readonly JsonObject[],
): string {
  const itemized = reportType.includes('itemized');
  const known: Readonly<Record<string, unknown>> = itemized ? ITEMIZED : SUMMARY;
  const columns = wanted.length > 0 ? wanted : Object.keys(known);
  const unknown = columns.find((c) => !(c in known));
  if (unknown !== undefined)
    throw invalidRequest(`Invalid column for ${reportType}: ${unknown}.`, { param: 'parameters[columns]' });
  const lines: string[] = [columns.join(',')];
  if (itemized) for (const t of rows) lines.push(columns.map((c) => field(ITEMIZED[c]!(t))).join(','));
  else for (const s of sums(rows)) lines.push(columns.map((c) => field(SUMMARY[c]!(s))).join(','));
  return `${lines.join('\n')}\n`;
}

const strings = (value: Json | undefined): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export const reportingRules: RuleBook = {
  'reporting.report_run': {
    beforeCreate(ctx, draft) {
      const reportType = String(draft.report_type);
      const parameters = isObject(draft.parameters) ? draft.parameters : {};
      const type = ctx.find(reportType, ['reporting.report_type']);
      const columns = strings(parameters.columns).length
        ? strings(parameters.columns)
        : strings(type?.data.default_columns);
      const file = ctx.insert(
        'file',
        ctx.build('file', {
          expires_at: ctx.now + 365 * 86_400,
          filename: `report_${String(draft.id)}.csv`,
          purpose: 'finance_report_run',
          size: 0,
          title: `${reportType} report`,
          type: 'csv',
        }),
      );
      const size = writeFileContents(ctx, file.id, {
        type: 'text/csv',
        body: reportCsv(reportType, columns, transactions(ctx, parameters)),
      });
      Object.assign(draft, {
        error: null,
        result: ctx.current(ctx.set(file, { size, url: contentsUrl(ctx, file.id) })).data,
        status: 'succeeded',
        succeeded_at: ctx.now,
      });
    },
  },
};
