/**
 * The query GraphiQL opens with: a tour of the graph on the emulator's demo data (and on any real
 * account). A test validates it against the schema, so it only names fields that exist.
 */
export const DEFAULT_QUERY = `# Stripe GraphQL gateway: press the run
# button (or Ctrl-Enter) to run this query.
# extensions.cost in the result counts the
# Stripe calls it took.

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

  # The newest customers' cards, and their invoices with the lines
  newest: customers(first: 2) {
    nodes {
      email
      cards(first: 3) {
        nodes {
          brand
          last4
        }
      }
      invoices(first: 3) {
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
    }
  }

  # The latest charges, with their customer (folded into one request)
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

  # A connected account: its capabilities and the transfers to it
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
