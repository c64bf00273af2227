// A real OpenID Provider (the certified `oidc-provider` package) for the
// sign-in tests of erhverv: never for production.
//
//   OIDC_PORT=4011 OIDC_CLIENT='{"client_id":…,"client_secret":…,"redirect_uris":[…],"post_logout_redirect_uris":[…]}' \
//   OIDC_ACCOUNTS='{"kirsten":{"name":"Kirsten Holm","email":"kiho@kk.dk","groups":["erhverv-konsulenter"]}}' \
//   node provider.mjs
//
// Issuer: http://localhost:PORT. The sign-in page (GET /interaction/UID) is
// a plain form: the account id as "login", any password. Consent is given
// for the client (a first-party application, as in Entra ID).
//
// Test controls, beside the provider's own endpoints:
//   PUT  /__test/accounts/ID  {"name":…,"email":…,"groups":[…]}  adds or changes an account
//   POST /__test/rotate       the provider publishes a second key (the one unknown_key signs with)
//   POST /__test/tamper       {"claims":{…},"unknown_key":true}  the next token response's
//        ID token gets these claims (aud, exp, iss, …) and is signed again, with the
//        provider's key or, with unknown_key, with a key the provider never published.
// Prints "listening on ISSUER" when it accepts connections.
import http from 'node:http';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK, SignJWT } from 'jose';

const port = Number(process.env.OIDC_PORT || 4011);
const issuer = `http://localhost:${port}`;
const client = JSON.parse(process.env.OIDC_CLIENT || '{}');
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

const signing = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(signing.privateKey)), kid: 'erhverv-test-key', alg: 'RS256', use: 'sig' };
const stranger = await generateKeyPair('RS256', { extractable: true });
let tamper = null;
// After POST /__test/rotate the published key set holds the second key
// too (a key rotation at the provider).
let rotated = false;
const publicJwks = async () => ({
  keys: [
    { ...(await exportJWK(signing.publicKey)), kid: jwk.kid, alg: 'RS256', use: 'sig' },
    ...(rotated ? [{ ...(await exportJWK(stranger.publicKey)), kid: 'a-key-nobody-published', alg: 'RS256', use: 'sig' }] : []),
  ],
});

const provider = new Provider(issuer, {
  clients: [{
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['erhverv-test-cookie-key-0123456789'] },
  // Groups in the ID token, as Entra ID sends them (not only at userinfo).
  claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'groups'], email: ['email'] },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const a = accounts[id];
    if (!a) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: a.name, email: a.email, preferred_username: a.email, groups: a.groups || [] };
      },
    };
  },
  // A first-party application: consent is implied for what it asks.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

// The test control of the next ID token.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && tamper && ctx.body?.id_token) {
    const t = tamper;
    tamper = null;
    const payload = JSON.parse(Buffer.from(ctx.body.id_token.split('.')[1], 'base64url'));
    Object.assign(payload, t.claims || {});
    const key = t.unknown_key ? stranger.privateKey : signing.privateKey;
    const kid = t.unknown_key ? 'a-key-nobody-published' : jwk.kid;
    ctx.body = { ...ctx.body, id_token: await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(key) };
  }
});

const callback = provider.callback();

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function escape(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    let m;
    if (req.method === 'PUT' && (m = url.pathname.match(/^\/__test\/accounts\/([^/]+)$/))) {
      accounts[decodeURIComponent(m[1])] = JSON.parse(await readBody(req));
      res.writeHead(204).end();
    } else if (req.method === 'POST' && url.pathname === '/__test/rotate') {
      rotated = true;
      res.writeHead(204).end();
    } else if (req.method === 'GET' && url.pathname === '/jwks' && rotated) {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(JSON.stringify(await publicJwks()));
    } else if (req.method === 'POST' && url.pathname === '/__test/tamper') {
      tamper = JSON.parse(await readBody(req));
      res.writeHead(204).end();
    } else if (req.method === 'GET' && (m = url.pathname.match(/^\/interaction\/([^/]+)$/))) {
      const details = await provider.interactionDetails(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Test-IdP</title></head><body>
<h1>Test-IdP: log ind</h1><p>Prompt: ${escape(details.prompt.name)}</p>
<form method="post" action="/interaction/${escape(m[1])}/login">
<label>Bruger <input name="login" autofocus></label>
<label>Adgangskode <input name="password" type="password"></label>
<button type="submit">Log ind</button></form></body></html>`);
    } else if (req.method === 'POST' && (m = url.pathname.match(/^\/interaction\/([^/]+)\/login$/))) {
      const form = new URLSearchParams(await readBody(req));
      const login = form.get('login') || '';
      if (!accounts[login]) {
        res.writeHead(401, { 'content-type': 'text/plain' }).end('unknown test account');
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    } else {
      callback(req, res);
    }
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
