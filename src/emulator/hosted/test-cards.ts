/**
 * Stripe's test cards a person can pay with on the emulator's pages, by number: every card the
 * emulator models (money/tokens.ts), as its payment method's magic id (`pm_card_<name>`). A
 * number with several names goes by its first.
 */
import { TEST_CARDS as MODELLED } from '../money/tokens.ts';

export const TEST_CARDS: Readonly<Record<string, string>> = (() => {
  const byNumber: Record<string, string> = {};
  for (const [name, card] of Object.entries(MODELLED)) byNumber[card.number] ??= `pm_card_${name}`;
  return byNumber;
})();
