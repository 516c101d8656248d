/**
 * Identity: a verification session's lifecycle as Stripe's test mode runs it.
 *
 * A session is created `requires_input`. Submitting it (the emulator's hosted page,
 * hosted/identity.ts) moves it to `processing`, stores a verification report and ends it
 * `verified` (with `verified_outputs` and the report as `last_verification_report`) or back in
 * `requires_input` with `last_error`, by the outcome the tester picked. Stripe's test values:
 * for `id_number` checks, `000000000` verifies, `111111111` does not match and `222222222` lacks
 * the document data to compare; a document check takes the outcome chosen on the page. The rule
 * book (`cancel`, `redact`) is rules/identity.ts.
 */
import { BesideStore } from '../engine/beside.ts';
import type { Ctx } from '../engine/context.ts';
import { invalidRequest } from '../engine/errors.ts';
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry, Store } from '../engine/store.ts';

export const SESSION = 'identity.verification_session';

/** The outcomes the test page offers for a document check, by Stripe's error code. */
export const DOCUMENT_OUTCOMES = [
  'verified',
  'document_unverified_other',
  'document_expired',
  'document_type_not_supported',
  'selfie_face_mismatch',
] as const;
export type DocumentOutcome = (typeof DOCUMENT_OUTCOMES)[number];

/** Stripe's test id numbers and what they do. */
const ID_NUMBERS: Readonly<Record<string, string>> = {
  '000000000': 'verified',
  '111111111': 'id_number_mismatch',
  '222222222': 'id_number_insufficient_document_data',
};

/** Short reasons for the test outcomes (shown to the user, as Stripe's `reason` is). */
const REASONS: Readonly<Record<string, string>> = {
  document_unverified_other: 'The document could not be verified.',
  document_expired: 'The document is expired.',
  document_type_not_supported: 'This type of document is not accepted.',
  selfie_face_mismatch: 'The selfie does not match the face on the document.',
  id_number_mismatch: 'The ID number does not match the name and date of birth.',
  id_number_insufficient_document_data: 'There is not enough data to verify the ID number.',
  id_number_unverified_other: 'The ID number could not be verified.',
};

/** The person Stripe's test flows verify. */
const PERSON = {
  first_name: 'Jenny',
  last_name: 'Rosen',
  dob: { day: 1, month: 1, year: 1901 },
  address: {
    city: 'San Francisco',
    country: 'US',
    line1: '510 Townsend St',
    line2: null,
    postal_code: '94103',
    state: 'CA',
  },
} as const;

export interface Submission {
  /** a document check's outcome */
  outcome?: string | undefined;
  /** an id number check's number */
  idNumber?: string | undefined;
}

const errorOf = (code: string | null): JsonObject | null =>
  code === null ? null : { code, reason: REASONS[code] ?? null };

function documentOptions(session: JsonObject): JsonObject {
  const options = isObject(session.options) ? session.options : {};
  return isObject(options.document) ? options.document : {};
}

/** The error code a submission ends with, or null when it verifies. */
function failure(session: JsonObject, submission: Submission): string | null {
  if (session.type === 'id_number') {
    const number = (submission.idNumber ?? '').replace(/\D/g, '');
    const result = ID_NUMBERS[number] ?? 'id_number_unverified_other';
    return result === 'verified' ? null : result;
  }
  const outcome = submission.outcome ?? 'verified';
  if (!(DOCUMENT_OUTCOMES as readonly string[]).includes(outcome))
    throw invalidRequest(`Unknown test outcome: ${outcome}.`, { param: 'outcome' });
  if (outcome === 'selfie_face_mismatch' && documentOptions(session).require_matching_selfie !== true)
    return null;
  return outcome === 'verified' ? null : outcome;
}

/** The report of one submission: the checks the session asked for, each verified or not. */
function report(ctx: Ctx, session: Entry, code: string | null): Entry {
  const data = session.data;
  const fields: JsonObject = {
    client_reference_id: data.client_reference_id ?? null,
    options: isObject(data.options) ? data.options : {},
    type: data.type === 'id_number' ? 'id_number' : 'document',
    verification_session: session.id,
  };
  const checked = (check: string) => ({
    status: code?.startsWith(check) ? 'unverified' : 'verified',
    error: code?.startsWith(check) ? errorOf(code) : null,
  });
  if (data.type === 'id_number') {
    const id = checked('id_number');
    fields.id_number = {
      ...id,
      dob: PERSON.dob,
      first_name: PERSON.first_name,
      id_number: id.status === 'verified' ? '000000000' : null,
      id_number_type: 'us_ssn',
      last_name: PERSON.last_name,
    };
  } else {
    const document = checked('document');
    const readable = document.status === 'verified' || code === 'document_expired';
    fields.document = {
      ...document,
      address: readable ? PERSON.address : null,
      dob: readable ? PERSON.dob : null,
      expiration_date:
        code === 'document_expired' ? { day: 1, month: 1, year: 2020 } : { day: 1, month: 1, year: 2034 },
      files: [],
      first_name: readable ? PERSON.first_name : null,
      issued_date: { day: 1, month: 1, year: 2020 },
      issuing_country: 'US',
      last_name: readable ? PERSON.last_name : null,
      number: null,
      type: code === 'document_type_not_supported' ? null : 'driving_license',
    };
    if (documentOptions(data).require_matching_selfie === true)
      fields.selfie = { ...checked('selfie'), document: null, selfie: null };
  }
  return ctx.insert('identity.verification_report', ctx.build('identity.verification_report', fields));
}

/** The verified outputs of a session whose checks passed. */
function outputs(session: JsonObject): JsonObject {
  const idNumber = session.type === 'id_number' || documentOptions(session).require_id_number === true;
  return {
    address: session.type === 'id_number' ? null : PERSON.address,
    dob: PERSON.dob,
    first_name: PERSON.first_name,
    id_number: idNumber ? '000000000' : null,
    id_number_type: idNumber ? 'us_ssn' : null,
    last_name: PERSON.last_name,
  };
}

/** Runs a submission through `processing` to `verified` or back to `requires_input`. */
export function submitVerification(ctx: Ctx, session: Entry, submission: Submission): Entry {
  if (session.data.status !== 'requires_input')
    throw invalidRequest(
      `This VerificationSession is ${String(session.data.status)} and cannot take a submission.`,
    );
  const code = failure(session.data, submission);
  const processing = ctx.set(session, { status: 'processing', last_error: null });
  const made = report(ctx, processing, code);
  return ctx.set(processing, {
    last_verification_report: made.id,
    ...(code === null
      ? { status: 'verified', verified_outputs: outputs(processing.data) }
      : { status: 'requires_input', last_error: errorOf(code) }),
  });
}

/**
 * Where each session's page sends the user back (`return_url`): a create parameter the object does
 * not show, so it is kept beside the store rather than in the object.
 */
const returnUrls = new BesideStore<string>();

/** Keeps (or forgets, when absent) the `return_url` a session was created with. */
export function keepReturnUrl(store: Store, id: string, url: Json | undefined): void {
  const urls = returnUrls.of(store);
  if (typeof url === 'string' && url !== '') urls.set(id, url);
  else urls.delete(id);
}

/** The `return_url` a session was created with, if any. */
export function returnUrlOf(store: Store, id: string): string | undefined {
  return returnUrls.get(store, id);
}
