/**
 * What GraphiQL opens with: a tour of the graph in four tabs (a read of everything, a read with
 * variables, a write flow, and the live events that write flow makes fire), on the emulator's demo
 * data and on any real account. Tests validate every tab against the schema, run each operation in
 * turn on the emulator as a newcomer would (test/server/tour.test.ts), and click through them in
 * Chromium (test/net/graphiql.test.ts). Comment lines stay under 46 characters so they fit the
 * editor beside the result pane.
 */

/** Jenny Rosen, the demo data's first customer (its id is fixed: test/server/tour.test.ts checks it). */
export const TOUR_CUSTOMER = 'cus_cFNGa7GoXbldsgi2SpNMldcD';

export interface TourTab {
  /** what the tab is called in this file and its tests (GraphiQL names tabs by their operation) */
  title: string;
  query: string;
  variables?: string;
}

const overview = `# Stripe GraphQL gateway: press the run
# button (or Ctrl-Enter) to run this query.
# The other tabs: a customer read with
# variables, a payment and its refund, and
# the live events those writes send.
# extensions.cost in the result counts the
# Stripe calls each query took.

query Tour {
  # Customers and the card they pay with
  customers(first: 10) {
    nodes {
      id
      name
      email
      defaultSource {
        __typename
        ... on Card {
          brand
          last4
          expMonth
          expYear
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }

  # The latest charges, with their customer
  # (folded into the same Stripe call)
  charges(first: 3) {
    nodes {
      id
      amount
      currency
      status
      customer {
        id
        name
        email
      }
    }
  }

  # A connected account: its capabilities
  # and the transfers to it
  accounts(first: 1) {
    nodes {
      id
      type
      country
      email
      capabilities {
        nodes {
          id
          status
        }
      }
      transfers(first: 3) {
        nodes {
          id
          amount
          currency
          reversals {
            nodes {
              id
              amount
            }
          }
        }
      }
    }
  }
}
`;

const customer = `# One customer, named in the variables below
# (Jenny Rosen of the demo data; on your own
# account, put one of your customer ids).
# Her cards, invoices with their lines, and
# latest payments.

query Customer($id: ID!, $invoices: Int = 3) {
  customer(id: $id) {
    name
    email
    balance
    cards(first: 3) {
      nodes {
        brand
        last4
        expMonth
        expYear
      }
    }
    invoices(first: $invoices) {
      nodes {
        number
        status
        amountDue
        currency
        lines(first: 5) {
          nodes {
            description
            amount
          }
        }
      }
    }
    paymentIntents(first: 3) {
      nodes {
        id
        amount
        status
      }
    }
  }
}
`;

const writes = `# A payment and its refund, in test mode.
# To watch the events these send, open this
# page in a second window and run its
# LiveEvents tab there first.
# 1. Run Pay (pick it in the run button's
#    menu): a test Visa card pays 20.00.
# 2. Copy the id it answers into the
#    variables as "paymentIntent".
# 3. Run Refund.

mutation Pay($customer: String!, $amount: SafeInt!) {
  createPaymentIntent(
    input: {
      customer: $customer
      amount: $amount
      currency: "usd"
      paymentMethod: "pm_card_visa"
      paymentMethodTypes: ["card"]
      confirm: true
    }
  ) {
    id
    status
    amount
    latestCharge {
      id
      paid
      receiptUrl
    }
  }
}

mutation Refund($paymentIntent: String!) {
  createRefund(input: { paymentIntent: $paymentIntent }) {
    id
    status
    amount
    charge {
      amountRefunded
      refunded
    }
  }
}
`;

const live = `# Live events: run this, then run Pay and
# Refund in the Pay tab of a second window
# (a tab stops its run when you leave it).
# Each event arrives here as it happens
# (Stripe's webhooks, or the emulator's).

subscription LiveEvents {
  stripeEvents(types: ["payment_intent.*", "charge.*"]) {
    id
    type
    created
    object {
      id
      ... on PaymentIntent {
        intentStatus: status
        amount
      }
      ... on Charge {
        amount
        amountRefunded
        chargeStatus: status
        paymentIntentId
      }
    }
  }
}
`;

/** GraphiQL's tabs, in order. */
export const TOUR_TABS: readonly TourTab[] = [
  { title: 'Tour', query: overview },
  {
    title: 'Customer',
    query: customer,
    variables: JSON.stringify({ id: TOUR_CUSTOMER, invoices: 3 }, null, 2),
  },
  {
    title: 'Pay and refund',
    query: writes,
    variables: JSON.stringify({ customer: TOUR_CUSTOMER, amount: 2000, paymentIntent: 'pi_…' }, null, 2),
  },
  { title: 'Live events', query: live },
];

/** The first tab's document: what GraphiQL shows when tabs are off. */
export const DEFAULT_QUERY = overview;
