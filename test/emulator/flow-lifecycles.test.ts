/**
 * The remaining families' lifecycles through GraphQL on the emulator, with the events a GraphQL
 * subscription receives: Identity (the hosted verification page, rules/identity.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlowHarness, startFlows } from './flow-harness.ts';

let f: FlowHarness;
beforeAll(async () => {
  f = await startFlows();
});
afterAll(() => f.close());

/** Submits a hosted page's form (as a browser would), without following its redirect. */
const submit = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

describe('Identity', () => {
  const SESSION = `id status url clientSecret lastError { code }
    lastVerificationReport { id type verificationSessionId document { status error { code } firstName } idNumber { status error { code } } }
    verifiedOutputs { firstName lastName dob { year } idNumber }`;

  it('a document check through the hosted page: requires_input, then verified', async () => {
    const stream = await f.subscribe(['identity.*']);
    const { createIdentityVerificationSession: created } = await f.ok(
      `mutation { createIdentityVerificationSession(input: { type: DOCUMENT, returnUrl: "https://example.com/done" }) { ${SESSION} } }`,
    );
    expect(created).toMatchObject({ status: 'REQUIRES_INPUT', lastError: null, verifiedOutputs: null });
    expect(created.url).toBe(`${f.emulator.url}/verify/${created.id}`);
    expect(created.clientSecret).toMatch(new RegExp(`^${created.id}_secret_test_[A-Za-z0-9]+$`));

    const page = await fetch(created.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('value="document_expired"');

    const expired = await submit(created.url, { outcome: 'document_expired' });
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe('https://example.com/done');
    const query = `query($id: ID!) { identityVerificationSession(id: $id) { ${SESSION} } }`;
    const { identityVerificationSession: failed } = await f.ok(query, { id: created.id });
    expect(failed).toMatchObject({
      status: 'REQUIRES_INPUT',
      lastError: { code: 'DOCUMENT_EXPIRED' },
      verifiedOutputs: null,
      lastVerificationReport: {
        type: 'DOCUMENT',
        verificationSessionId: created.id,
        document: { status: 'UNVERIFIED', error: { code: 'DOCUMENT_EXPIRED' } },
      },
    });

    expect((await submit(created.url, { outcome: 'verified' })).status).toBe(303);
    const { identityVerificationSession: verified } = await f.ok(query, { id: created.id });
    expect(verified).toMatchObject({
      status: 'VERIFIED',
      lastError: null,
      verifiedOutputs: { firstName: 'Jenny', lastName: 'Rosen', dob: { year: 1901 }, idNumber: null },
      lastVerificationReport: { document: { status: 'VERIFIED', error: null, firstName: 'Jenny' } },
    });
    expect(verified.lastVerificationReport.id).not.toBe(failed.lastVerificationReport.id);
    // A verified session takes no more submissions and cannot be canceled.
    expect((await submit(created.url, { outcome: 'verified' })).status).toBe(200);
    expect(
      await f.fails('mutation($id: ID!) { cancelIdentityVerificationSession(id: $id) { id } }', {
        id: created.id,
      }),
    ).toBeDefined();
    const { redactIdentityVerificationSession: redacted } = await f.ok(
      'mutation($id: ID!) { redactIdentityVerificationSession(id: $id) { redaction { status } verifiedOutputs { firstName } } }',
      { id: created.id },
    );
    expect(redacted).toEqual({
      redaction: { status: 'REDACTED' },
      verifiedOutputs: { firstName: '[redacted]' },
    });

    const events = await stream.take(6);
    expect(events.map((e) => e.type)).toEqual([
      'identity.verification_session.created',
      'identity.verification_session.processing',
      'identity.verification_session.requires_input',
      'identity.verification_session.processing',
      'identity.verification_session.verified',
      'identity.verification_session.redacted',
    ]);
    expect(events.map((e) => e.data.status)).toEqual([
      'requires_input',
      'processing',
      'requires_input',
      'processing',
      'verified',
      'verified',
    ]);
    stream.close();
  });

  it("an id number check with Stripe's test numbers; cancel from requires_input", async () => {
    const create = `mutation { createIdentityVerificationSession(input: { type: ID_NUMBER }) { ${SESSION} } }`;
    const { createIdentityVerificationSession: session } = await f.ok(create);
    expect((await submit(session.url, { id_number: '111111111' })).status).toBe(200);
    const query = `query($id: ID!) { identityVerificationSession(id: $id) { ${SESSION} } }`;
    expect((await f.ok(query, { id: session.id })).identityVerificationSession).toMatchObject({
      status: 'REQUIRES_INPUT',
      lastError: { code: 'ID_NUMBER_MISMATCH' },
      lastVerificationReport: {
        type: 'ID_NUMBER',
        idNumber: { status: 'UNVERIFIED', error: { code: 'ID_NUMBER_MISMATCH' } },
      },
    });
    await submit(session.url, { id_number: '000-00-0000' });
    expect((await f.ok(query, { id: session.id })).identityVerificationSession).toMatchObject({
      status: 'VERIFIED',
      verifiedOutputs: { firstName: 'Jenny', idNumber: '000000000' },
      lastVerificationReport: { idNumber: { status: 'VERIFIED' } },
    });
    const { createIdentityVerificationSession: other } = await f.ok(create);
    const { cancelIdentityVerificationSession: canceled } = await f.ok(
      'mutation($id: ID!) { cancelIdentityVerificationSession(id: $id) { status } }',
      { id: other.id },
    );
    expect(canceled.status).toBe('CANCELED');
    expect(await (await fetch(other.url)).text()).toContain('canceled');
  });
});
