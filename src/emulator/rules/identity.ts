/**
 * Identity: the verification session's rule book (its lifecycle, submissions and test values are
 * in hosted/verification.ts, beside the hosted page that submits). `cancel` works only from
 * `requires_input`; `redact` marks the session `redacted`, its outputs replaced by `[redacted]`.
 * Its verification check and options change only while it is `requires_input`, and a redacted
 * session not at all (its metadata neither).
 */
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json } from '../engine/json.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import { keepReturnUrl, SESSION } from '../hosted/verification.ts';

/** `[redacted]` in place of every string (and null dates) of the verified outputs. */
function redacted(value: Json | undefined): Json {
  if (typeof value === 'string') return '[redacted]';
  if (Array.isArray(value)) return value.map(redacted);
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, typeof v === 'number' ? null : redacted(v)]),
    );
  return value ?? null;
}

export const identityRules: RuleBook = {
  [SESSION]: {
    beforeUpdate(_ctx, _draft, params, entry) {
      if (isObject(entry.data.redaction))
        throw invalidRequest(`VerificationSession ${entry.id} is redacted: it cannot be updated.`);
      const checks = Object.keys(params).filter((name) => name !== 'metadata' && name !== 'expand');
      if (checks.length > 0 && entry.data.status !== 'requires_input')
        throw invalidRequest(
          `This VerificationSession is ${String(entry.data.status)}: only a session in requires_input can change its ${checks.join(', ')}.`,
          { param: String(checks[0]) },
        );
    },
    afterCreate(ctx, entry, { params }) {
      keepReturnUrl(ctx.store, entry.id, params.return_url);
    },
    actions: {
      cancel(ctx, entry) {
        if (entry.data.status !== 'requires_input')
          throw invalidRequest(
            `This VerificationSession is ${String(entry.data.status)}: only a session in requires_input can be canceled.`,
          );
        return ctx.set(entry, { status: 'canceled' });
      },
      redact(ctx, entry) {
        if (entry.data.status === 'processing')
          throw invalidRequest('A VerificationSession cannot be redacted while it is processing.');
        if (isObject(entry.data.redaction)) return entry;
        return ctx.set(entry, {
          redaction: { status: 'redacted' },
          metadata: {},
          provided_details: entry.data.provided_details ? redacted(entry.data.provided_details) : null,
          verified_outputs: entry.data.verified_outputs ? redacted(entry.data.verified_outputs) : null,
        });
      },
    },
  },
};
