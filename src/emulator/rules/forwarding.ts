/** Forwarding requests: what was sent, redacted, and what came back (see ../forwarding.ts). */
import { invalidRequest } from '../engine/errors.ts';
import type { RuleBook } from '../engine/rule-book.ts';
import { outbound, requestDetails, takeForward } from '../transport/forwarding.ts';

export const forwardingRules: RuleBook = {
  'forwarding.request': {
    beforeCreate(ctx, draft, { params }) {
      const method = ctx.require(String(params.payment_method), ['payment_method'], 'payment_method', 400);
      const out = outbound(params, method.data);
      if (!out)
        throw invalidRequest(
          `The payment method ${method.id} has no test card whose details can be forwarded.`,
          {
            param: 'payment_method',
          },
        );
      const outcome = takeForward(ctx.request?.id);
      Object.assign(draft, {
        request_context: outcome?.request_context ?? null,
        request_details: requestDetails(out),
        response_details: outcome?.response_details ?? null,
      });
    },
  },
};
