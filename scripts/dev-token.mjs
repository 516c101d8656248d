/**
 * `npm run -s token -- [--customer cus_…] [--account acct_…] [--admin] [--ttl 1h]`: prints an HS256
 * JWT for a gateway started with `AUTH_MODE=jwt`, signed with `JWT_SECRET` for `JWT_ISSUER` and
 * `JWT_AUDIENCE` (the same variables the gateway reads, so run it where you started the gateway, or
 * export them first). For development and the README's recipes: in production your identity
 * provider issues the tokens.
 */
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

const { values } = parseArgs({
  options: {
    customer: { type: 'string' },
    account: { type: 'string' },
    admin: { type: 'boolean', default: false },
    ttl: { type: 'string', default: '1h' },
  },
});

const missing = ['JWT_SECRET', 'JWT_ISSUER', 'JWT_AUDIENCE'].filter((name) => !process.env[name]);
if (missing.length > 0) {
  process.stderr.write(`dev-token: set ${missing.join(', ')} (the gateway's own values)\n`);
  process.exit(2);
}
if (!values.customer && !values.account && !values.admin) {
  process.stderr.write('dev-token: give --customer cus_…, --account acct_… or --admin\n');
  process.exit(2);
}

const claims = {
  ...(values.customer ? { stripe_customer: values.customer } : {}),
  ...(values.account ? { stripe_account: values.account } : {}),
  ...(values.admin ? { scope: 'stripe:admin' } : {}),
};
const token = await new SignJWT(claims)
  .setProtectedHeader({ alg: 'HS256' })
  .setIssuer(process.env.JWT_ISSUER)
  .setAudience(process.env.JWT_AUDIENCE)
  .setIssuedAt()
  .setExpirationTime(values.ttl)
  .sign(new TextEncoder().encode(process.env.JWT_SECRET));
process.stdout.write(`${token}\n`);
