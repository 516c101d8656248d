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
      created
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

  # The latest charge, with its customer expanded
  charges(first: 1) {
    nodes {
      id
      amount
      currency
      status
      paid
      customer {
        ... on Customer {
          id
          name
          email
        }
      }
    }
  }

  # Connected accounts and their capabilities
  accounts(first: 1) {
    nodes {
      id
      type
      country
      email
      chargesEnabled
      payoutsEnabled
      businessProfile {
        name
      }
      capabilities {
        cardPayments
        transfers
      }
    }
  }
}
`;
