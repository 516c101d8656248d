/**
 * Stripe-shaped API errors. Handlers throw `ErrorReply`; the server turns it into
 * `{ error: { type, code, message, param, … } }` with the HTTP status.
 */
import type { JsonObject } from './json.ts';

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorFields {
  code?: string;
  decline_code?: string;
  param?: string;
  charge?: string;
  payment_intent?: JsonObject;
  payment_method?: JsonObject;
  setup_intent?: JsonObject;
  doc_url?: string;
}

export class ErrorReply extends Error {
  override readonly name = 'ErrorReply';
  readonly status: number;
  readonly type: StripeErrorType;
  readonly fields: StripeErrorFields;
  /**
   * Keep the changes the request made before failing (a declined charge is stored with status
   * `failed`); by default an error rolls the request's changes back.
   */
  readonly keepChanges: boolean;

  constructor(
    status: number,
    type: StripeErrorType,
    message: string,
    fields: StripeErrorFields = {},
    keepChanges = false,
  ) {
    super(message);
    this.status = status;
    this.type = type;
    this.fields = fields;
    this.keepChanges = keepChanges;
  }

  body(): JsonObject {
    const error: JsonObject = { type: this.type, message: this.message };
    for (const [key, value] of Object.entries(this.fields)) if (value !== undefined) error[key] = value;
    return { error };
  }
}

export const invalidRequest = (message: string, fields: StripeErrorFields = {}, status = 400): ErrorReply =>
  new ErrorReply(status, 'invalid_request_error', message, fields);

/** 404 for an id that names no object of the expected kind. */
export const noSuch = (label: string, id: string, param = 'id', status = 404): ErrorReply =>
  new ErrorReply(status, 'invalid_request_error', `No such ${label}: '${id}'`, {
    code: 'resource_missing',
    param,
  });

export const unknownParameter = (param: string): ErrorReply =>
  invalidRequest(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });

export const missingParameter = (param: string): ErrorReply =>
  invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });

/**
 * Refuses `params` giving more than one of `names` (`parameters_exclusive`); a hash inside a list
 * names its parameters under `at` (`items[0]`).
 */
export function requireAtMostOne(params: JsonObject, names: readonly string[], at?: string): void {
  if (names.filter((name) => params[name] !== undefined).length > 1)
    throw invalidRequest(`You may only specify one of these parameters: ${names.join(', ')}.`, {
      code: 'parameters_exclusive',
      param: at === undefined ? names[0]! : `${at}[${names[0]}]`,
    });
}
