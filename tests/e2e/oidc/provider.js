// A real OpenID provider for the single sign-on tests: node provider.js <port> <redirect_uri> <post_logout_uri>
// One confidential client (authorization code, PKCE required), accounts with a "groups" claim, the package's
// own login and consent pages (any password is accepted, as the package does in development mode).
// A second client, a specialist system, gets JWT access tokens for the API by the client-credentials grant.
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
  }, {
    client_id: 'abh-fachverfahren',
    client_secret: 'abh-fachverfahren-test-secret-abh-fachverfahren',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  jwks: { keys: [signingKey] },
  cookies: { keys: ['kimflow-oidc-test-cookie-key'] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:kimflow:api',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'kimflow:read kimflow:start kimflow:tasks',
        audience: 'urn:kimflow:api',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
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
