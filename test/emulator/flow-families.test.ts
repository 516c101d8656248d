/**
 * The smaller families through GraphQL (rules/families.ts): Connect login links, Reporting runs,
 * simulated Terminal readers, Financial Connections refreshes, with their events; and the demo
 * data every family shows on a fresh emulator (the README's tour, Issuing, Radar, Checkout,
 * Treasury, Reporting, Sigma, Financial Connections), deterministic across resets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlowHarness, startFlows, typesAmong } from './flow-harness.ts';
import { newOnboardedExpress } from './helpers.ts';

let f: FlowHarness;
beforeAll(async () => {
  f = await startFlows();
});
afterAll(() => f.close());

describe('demo data', () => {
  it("the README's tour: the newest customers have cards, invoices and lines", async () => {
    const { customers } = await f.ok(`{
      customers(first: 3) { nodes { name
        cards(first: 3) { nodes { brand last4 } }
        invoices(first: 5) { nodes { status amountDue lines { nodes { description amount } } } }
      } }
    }`);
    for (const customer of customers.nodes) {
      expect(customer.cards.nodes.length, customer.name).toBeGreaterThan(0);
      expect(customer.invoices.nodes.length, customer.name).toBeGreaterThan(0);
      for (const invoice of customer.invoices.nodes) {
        const sum = invoice.lines.nodes.reduce(
          (total: number, line: { amount: number }) => total + line.amount,
          0,
        );
        expect(invoice.lines.nodes.length).toBeGreaterThan(0);
        expect(invoice.amountDue).toBe(sum);
      }
    }
  });

  it('every family in the states users look for', async () => {
    const data = await f.ok(`{
      issuingCards(first: 5) { nodes { last4 brand status cardholder { name } } }
      issuingDisputes(first: 5) { nodes { status amount } }
      reviews(first: 5) { nodes { open charge { id } } }
      checkoutSessions(first: 10) { nodes { status paymentStatus paymentIntent { status } } }
      reportingReportRuns(first: 5) { nodes { status result { url purpose } } }
      sigmaScheduledQueryRuns(first: 5) { nodes { status file { url } } }
      financialConnectionsAccounts(first: 5) { nodes { balance { current } ownershipRefresh { status } } }
      treasuryFinancialAccounts(first: 5) { nodes { id } }
    }`);
    expect(data.issuingCards.nodes[0]).toMatchObject({ brand: 'Visa', cardholder: { name: 'Jenny Rosen' } });
    expect(data.issuingCards.nodes[0].last4).toMatch(/^\d{4}$/);
    expect(data.issuingDisputes.nodes[0]).toMatchObject({ status: 'UNSUBMITTED', amount: 1200 });
    expect(data.reviews.nodes.some((r: { open: boolean }) => r.open)).toBe(true);
    expect(data.checkoutSessions.nodes).toContainEqual({
      status: 'COMPLETE',
      paymentStatus: 'PAID',
      paymentIntent: { status: 'SUCCEEDED' },
    });
    expect(data.reportingReportRuns.nodes[0]).toMatchObject({
      status: 'succeeded',
      result: { purpose: 'FINANCE_REPORT_RUN' },
    });
    // The report's file is served by the emulator itself, from the first start.
    expect(data.reportingReportRuns.nodes[0].result.url).toMatch(
      new RegExp(`^${f.emulator.url}/v1/files/file_\\w+/contents$`),
    );
    expect(data.sigmaScheduledQueryRuns.nodes[0].status).toBe('completed');
    expect(data.financialConnectionsAccounts.nodes).toContainEqual({
      balance: { current: { usd: 1_042_500 } },
      ownershipRefresh: { status: 'SUCCEEDED' },
    });
    const account = data.treasuryFinancialAccounts.nodes[0].id;
    const { treasuryTransactions } = await f.ok(
      'query($fa: ID!) { treasuryTransactions(financialAccount: $fa, first: 20) { nodes { flowType status amount } } }',
      { fa: account },
    );
    const statuses = treasuryTransactions.nodes.map((t: { status: string }) => t.status);
    expect(statuses).toContain('POSTED');
    expect(statuses).toContain('OPEN');
  });
});

describe('lifecycles', () => {
  it('Connect: a login link for an onboarded Express account only', async () => {
    const express = await f.ok('mutation { createAccount(input: { type: EXPRESS, country: "US" }) { id } }');
    const custom = await f.ok('mutation { createAccount(input: { type: CUSTOM, country: "US" }) { id } }');
    const link = 'mutation($a: ID!) { createAccountLoginLink(account: $a) { url } }';
    // Not before its owner has onboarded.
    expect(await f.fails(link, { a: express.createAccount.id })).toBeDefined();
    const onboarded = newOnboardedExpress(f.emulator.service);
    expect((await f.ok(link, { a: onboarded })).createAccountLoginLink.url).toMatch(
      /\/connect\/express\/\w{24}$/,
    );
    expect(await f.fails(link, { a: custom.createAccount.id })).toBeDefined();
  });

  it('Reporting: a run succeeds with its file', async () => {
    const stream = await f.subscribe(['reporting.*']);
    const { createReportingReportRun: run } = await f.ok(`mutation {
      createReportingReportRun(input: { reportType: "balance.summary.1", parameters: { intervalStart: "2024-04-01T00:00:00Z", intervalEnd: "2024-05-01T00:00:00Z" } }) {
        status succeededAt result { id purpose url }
      }
    }`);
    expect(run).toMatchObject({ status: 'succeeded', result: { purpose: 'FINANCE_REPORT_RUN' } });
    expect(run.succeededAt).not.toBeNull();
    // Stripe sends `reporting.report_run.succeeded` when a run finishes (here, as it is created).
    expect((await stream.take(1)).map((e) => e.type)).toEqual(['reporting.report_run.succeeded']);
    stream.close();
  });

  it('Terminal: a simulated reader is the simulated device, online', async () => {
    const { createTerminalLocation: location } = await f.ok(
      'mutation { createTerminalLocation(input: { displayName: "Shop", address: { line1: "1 Main St", city: "SF", postalCode: "94111", state: "CA", country: "US" } }) { id } }',
    );
    const { createTerminalReader: reader } = await f.ok(
      'mutation($l: ID!) { createTerminalReader(input: { registrationCode: "simulated-wpe", label: "Till", location: $l }) { deviceType status serialNumber } }',
      { l: location.id },
    );
    expect(reader).toMatchObject({ deviceType: 'BBPOS_WISEPOS_E', status: 'ONLINE' });
    expect(reader.serialNumber).toMatch(/SIMULATED/);
    // Any other code registers nothing.
    const readers = '{ terminalReaders(first: 100) { nodes { id } } }';
    const before = (await f.ok(readers)).terminalReaders.nodes.length;
    expect(
      await f.fails(
        'mutation { createTerminalReader(input: { registrationCode: "puppies-plug-could" }) { id } }',
      ),
    ).toBeDefined();
    expect((await f.ok(readers)).terminalReaders.nodes).toHaveLength(before);
  });

  it('Financial Connections: refresh fills balances, owners and transactions; subscribe', async () => {
    const { financialConnectionsAccounts } = await f.ok(
      '{ financialConnectionsAccounts(first: 1) { nodes { id } } }',
    );
    const id = financialConnectionsAccounts.nodes[0].id;
    const stream = await f.subscribe(['financial_connections.*']);
    const { refreshFinancialConnectionsAccount: refreshed } = await f.ok(
      'mutation($id: ID!) { refreshFinancialConnectionsAccount(id: $id, input: { features: [BALANCE, TRANSACTIONS] }) { balanceRefresh { status } transactionRefresh { status } } }',
      { id },
    );
    expect(refreshed).toMatchObject({
      balanceRefresh: { status: 'SUCCEEDED' },
      transactionRefresh: { status: 'SUCCEEDED' },
    });
    const { subscribeFinancialConnectionsAccount: subscribed } = await f.ok(
      'mutation($id: ID!) { subscribeFinancialConnectionsAccount(id: $id, input: { features: [TRANSACTIONS] }) { subscriptions } }',
      { id },
    );
    expect(subscribed.subscriptions).toEqual(['TRANSACTIONS']);
    const wanted = [
      'financial_connections.account.refreshed_balance',
      'financial_connections.account.refreshed_transactions',
    ];
    expect(typesAmong(await stream.until(wanted), wanted)).toEqual(wanted);
    stream.close();
  });
});

// Last: a reset brings back the demo data the tests above changed.
describe('reset', () => {
  it('is deterministic and comes back on reset', async () => {
    const query = '{ customers(first: 5) { nodes { id name } } reviews(first: 3) { nodes { id } } }';
    const before = await f.ok(query);
    await f.ok('mutation { createCustomer(input: { name: "Added" }) { id } }');
    expect(await f.ok(query)).not.toEqual(before);
    const reset = await f.emulator.fetch(
      new Request(`${f.emulator.url}/_emulator/reset`, { method: 'POST' }),
    );
    expect(reset.status).toBe(200);
    expect(await f.ok(query)).toEqual(before);
  });
});
