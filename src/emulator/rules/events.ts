/**
 * Events and webhook endpoints: `type=` accepts Stripe's wildcard (`customer.*`), as does
 * `types[]`; a new endpoint gets its signing secret (`whsec_…`) and
 * `disabled=true` disables it.
 */
import type { Json } from '../engine/json.ts';
import type { Predicate, RuleBook } from '../engine/rule-book.ts';

function typeMatcher(pattern: string): (type: string) => boolean {
  if (!pattern.endsWith('*')) return (type) => type === pattern;
  const prefix = pattern.slice(0, -1);
  return (type) => type.startsWith(prefix);
}

function typeFilter(value: Json): Predicate | undefined {
  const patterns = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
  if (patterns.length === 0) return undefined;
  const matchers = patterns.map(typeMatcher);
  return (entry) => matchers.some((m) => m(String(entry.data.type)));
}

export const eventRules: RuleBook = {
  webhook_endpoint: {
    beforeCreate(ctx, draft) {
      Object.assign(draft, {
        api_version: draft.api_version ?? null,
        application: null,
        description: draft.description ?? null,
        secret: `whsec_${ctx.random.string(32)}`,
        status: 'enabled',
      });
    },
    beforeUpdate(_ctx, draft, params) {
      if (typeof params.disabled === 'boolean') draft.status = params.disabled ? 'disabled' : 'enabled';
    },
  },
  event: {
    listFilter(name, value) {
      return name === 'type' || name === 'types' ? typeFilter(value) : undefined;
    },
  },
};
