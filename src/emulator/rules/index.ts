/** The rule book: business rules by resource (see engine/rule-book.ts), merged from one module per domain. */

import type { ResourceRules, RuleBook } from '../engine/rule-book.ts';
import { hostedRules } from '../hosted/index.ts';
import { cashBalanceRules } from '../money/cash-balance.ts';
import { ledgerRules } from '../money/ledger.ts';
import { appRules } from './apps.ts';
import { catalogRules } from './catalog.ts';
import { chargeRules } from './charges.ts';
import { checkoutRules } from './checkout.ts';
import { climateRules } from './climate.ts';
import { connectRules } from './connect.ts';
import { creditNoteRules } from './credit-notes.ts';
import { cryptoOnrampRules } from './crypto-onramp.ts';
import { customerRules } from './customers.ts';
import { entitlementRules } from './entitlements.ts';
import { eventRules } from './events.ts';
import { familyRules } from './families.ts';
import { fileRules } from './files.ts';
import { forwardingRules } from './forwarding.ts';
import { identityRules } from './identity.ts';
import { intentRules } from './intents.ts';
import { invoiceItemRules } from './invoice-items.ts';
import { invoiceRules } from './invoices.ts';
import { issuingRules } from './issuing.ts';
import { paymentSourceRules } from './payment-sources.ts';
import { quoteRules } from './quotes.ts';
import { radarRules } from './radar.ts';
import { reportingRules } from './reporting.ts';
import { scheduleRules } from './schedules.ts';
import { sourceRulesBook } from './sources.ts';
import { subscriptionRules } from './subscriptions.ts';
import { taxRules } from './tax.ts';
import { terminalHardwareRules } from './terminal-hardware.ts';
import { terminalReaderRules } from './terminal-readers.ts';
import { testClockRules } from './test-clocks.ts';
import { treasuryRules } from './treasury.ts';

function merge(...books: RuleBook[]): RuleBook {
  const out: Record<string, ResourceRules> = {};
  for (const book of books) {
    for (const [resource, rules] of Object.entries(book)) {
      const existing = out[resource];
      if (!existing) {
        out[resource] = rules;
        continue;
      }
      for (const hook of Object.keys(rules)) {
        if (hook !== 'actions' && hook in existing)
          throw new Error(`two rule modules define ${resource}.${hook}`);
      }
      out[resource] = { ...existing, ...rules, actions: { ...existing.actions, ...rules.actions } };
    }
  }
  return out;
}

export const RULES: RuleBook = merge(
  cashBalanceRules,
  appRules,
  catalogRules,
  chargeRules,
  checkoutRules,
  climateRules,
  connectRules,
  creditNoteRules,
  cryptoOnrampRules,
  customerRules,
  entitlementRules,
  eventRules,
  familyRules,
  fileRules,
  forwardingRules,
  identityRules,
  intentRules,
  issuingRules,
  invoiceItemRules,
  invoiceRules,
  hostedRules,
  ledgerRules,
  paymentSourceRules,
  quoteRules,
  radarRules,
  reportingRules,
  scheduleRules,
  sourceRulesBook,
  subscriptionRules,
  taxRules,
  treasuryRules,
  terminalHardwareRules,
  terminalReaderRules,
  testClockRules,
);
