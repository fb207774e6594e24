// node's OpenID-certified oidc-provider, configured for MailKey's tests (see README.md).
//
//   node server.mjs [--port N] [--decline-scope SCOPE]... [--refresh-without-offline-access]
//                   [--access-token-ttl SECONDS]
//
// Listens on 127.0.0.1 only, plain http (MailKey accepts http for loopback endpoints only).
// The first line on stdout is one JSON object: {"issuer": "http://127.0.0.1:PORT", "port": PORT}.
// Everything else (the provider's warnings) goes to stderr. The server stops when its standard
// input closes when that is a pipe (the test that started it ended, however it ended), and on
// SIGTERM / SIGINT.
//
// Test data only: the cookie key, the client secret and the signing keys are not secrets.

import { fstatSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const args = process.argv.slice(2);
const options = { port: 0, declined: new Set(), refreshWithoutOfflineAccess: false, accessTokenTtl: 3600 };
for (let i = 0; i < args.length; i += 1) {
  const needValue = () => {
    if (i + 1 >= args.length) {
      process.stderr.write(`server.mjs: ${args[i]} needs a value\n`);
      process.exit(2);
    }
    i += 1;
    return args[i];
  };
  switch (args[i]) {
    case '--port': options.port = Number(needValue()); break;
    case '--decline-scope': options.declined.add(needValue()); break;
    case '--refresh-without-offline-access': options.refreshWithoutOfflineAccess = true; break;
    case '--access-token-ttl': options.accessTokenTtl = Number(needValue()); break;
    default:
      process.stderr.write(`server.mjs: unknown option ${args[i]}\n`);
      process.exit(2);
  }
}
if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535
    || !Number.isInteger(options.accessTokenTtl) || options.accessTokenTtl < 1) {
  process.stderr.write('server.mjs: --port and --access-token-ttl take whole numbers\n');
  process.exit(2);
}

// The user who signs in with login "dana" or "dana@example.com" has the address
// dana@example.com: whatever the login form got, the mailbox is derived from it.
const emailOf = (accountId) => (accountId.includes('@') ? accountId : `${accountId}@example.com`);

const PUBLIC_CLIENT_ID = 'mailkey-test';
const REDIRECT_PATH = '/oauth/oidc-provider';
const INTROSPECTION_CLIENT_ID = 'mailkey-introspect';
const INTROSPECTION_CLIENT_SECRET = 'mailkey-introspect-secret';

function configuration() {
  return {
    clients: [
      {
        // MailKey: a native app with a loopback redirect (RFC 8252 7.3: any port).
        client_id: PUBLIC_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`http://127.0.0.1${REDIRECT_PATH}`, `http://[::1]${REDIRECT_PATH}`,
          `http://localhost${REDIRECT_PATH}`],
        grant_types: ['authorization_code', 'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
      {
        // A resource server (Dovecot) that checks tokens by introspection.
        client_id: INTROSPECTION_CLIENT_ID,
        client_secret: INTROSPECTION_CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        introspection_endpoint_auth_method: 'client_secret_basic',
        revocation_endpoint_auth_method: 'client_secret_basic',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
    ],
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: emailOf(sub),
            email_verified: true,
            name: `Test user ${sub}`,
            preferred_username: sub,
          };
        },
      };
    },
    // The mailbox address travels with every access token, so introspection answers carry the
    // claim `email` (Dovecot's passdb oauth2 username_attribute).
    async extraTokenClaims(ctx, token) {
      if (token.kind === 'AccessToken' && token.accountId) {
        return { email: emailOf(token.accountId) };
      }
      return undefined;
    },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      deviceFlow: { enabled: true },
    },
    pkce: { methods: ['S256'], required: () => true },
    // Every refresh rotates the refresh token; a rotated one presented again revokes the grant.
    rotateRefreshToken: true,
    async issueRefreshToken(ctx, client, code) {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      // --refresh-without-offline-access: like the many servers that hand a native client a
      // refresh token whether or not offline_access was granted.
      return options.refreshWithoutOfflineAccess || code.scopes.has('offline_access');
    },
    ttl: {
      AccessToken: options.accessTokenTtl,
      AuthorizationCode: 120,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    cookies: { keys: ['mailkey-test-cookie-key-not-a-secret'] },
  };
}

// The issuer names the real port, so the port is bound first, then the provider is built for it.
const httpServer = createServer((req, res) => handler(req, res));
await new Promise((resolve) => { httpServer.listen(options.port, '127.0.0.1', resolve); });
const { port } = httpServer.address();
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, configuration());
const handler = provider.callback();

// The user unticks these scopes on the consent page: the grant records them as rejected, so the
// consent is complete (no second consent page) but they are not granted.
if (options.declined.size) {
  const add = provider.Grant.prototype.addOIDCScope;
  provider.Grant.prototype.addOIDCScope = function addOIDCScope(scope) {
    if (!(this instanceof provider.Grant)) return add.call(this, scope); // the rejected list
    const list = typeof scope === 'string' ? scope.split(' ') : [...scope];
    const kept = list.filter((s) => !options.declined.has(s));
    const dropped = list.filter((s) => options.declined.has(s));
    if (dropped.length) {
      this.rejected ||= {};
      add.call(this.rejected, dropped.join(' '));
    }
    if (kept.length) add.call(this, kept.join(' '));
  };
}
provider.on('server_error', (ctx, err) => process.stderr.write(`oidc-provider server_error: ${err}\n`));
process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);

const stop = () => {
  httpServer.close();
  httpServer.closeAllConnections?.();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started with a pipe on stdin (a test's QProcess, `... | node server.mjs`): when that closes,
// whoever started the server is gone. Other stdins (a terminal, /dev/null under `&`) are ignored.
const stdin = fstatSync(0, { throwIfNoEntry: false });
if (stdin && (stdin.isFIFO() || stdin.isSocket())) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
