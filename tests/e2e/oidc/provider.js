// A real OpenID provider for the single sign-on tests: node provider.js <port> <redirect_uri> <post_logout_uri>
// One confidential client (authorization code, PKCE required), accounts with a "groups" claim, the package's
// own login and consent pages (any password is accepted, as the package does in development mode).
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, redirectUri, postLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  erika: { name: 'Erika Mustermann', email: 'erika@kommune.example', groups: ['kimflow-sozialamt-neuss'] },
  ada: { name: 'Ada Admin', email: 'ada@kommune.example', groups: ['kimflow-admins', 'kimflow-sozialamt-neuss'] },
  fremd: { name: 'Frieda Fremd', email: 'fremd@kommune.example', groups: ['bauamt'] },
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'kimflow',
    client_secret: 'kimflow-test-secret-kimflow-test-secret',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  jwks: { keys: [signingKey] },
  cookies: { keys: ['kimflow-oidc-test-cookie-key'] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const known = ACCOUNTS[id];
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...(known || { name: id, groups: [] }) };
      },
    };
  },
});
provider.proxy = false;

const server = provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
