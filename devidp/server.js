// A development-only OpenID Connect provider for Tetsuzuki (never for production).
//
// The certified `oidc-provider` package, with test users whose claims look like a My
// Number Card's four basic facts (name, address, birth date, gender, plus the reading) and
// like a gBizID account (corporate number, company name, representative). The app talks to
// it over HTTP exactly as to a real provider: discovery, authorization code + PKCE, token,
// JWKS, userinfo, RP-initiated logout. Only the sign-in page is simple: a list of the test
// users, each a button (a test posts `account=<id>`), clearly marked 開発用 / not real.
//
// Settings (environment):
//   DEVIDP_PORT            port to listen on (default 5556), on 127.0.0.1
//   DEVIDP_ISSUER          the base URL (default http://127.0.0.1:<port>); the two providers'
//                          issuers are <base>/mynumber and <base>/gbiz
//   DEVIDP_APP_URLS        the app's base URLs whose callbacks are allowed, comma-separated
//                          (default http://127.0.0.1:5000,http://localhost:5000)
//   DEVIDP_JWKS            a private JWK set (JSON) to sign with; default: a key made at start
//   DEVIDP_CLIENT_SECRET   the clients' secret (default devidp-secret-not-for-production)
//
// Two providers, as in life: <base>/mynumber for individuals (a My Number Card's sign-in)
// and <base>/gbiz for businesses, each an issuer of its own with its own sessions and one
// client, `tetsuzuki-mynumber` and `tetsuzuki-gbiz`, whose callback is
// <app url>/signin/<mynumber|gbiz>/callback and post-logout address <app url>/signout/done.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import { URL } from 'node:url';

import Provider from 'oidc-provider';

const port = Number(process.env.DEVIDP_PORT || 5556);
const base = (process.env.DEVIDP_ISSUER || `http://127.0.0.1:${port}`).replace(/\/+$/, '');
const appUrls = (process.env.DEVIDP_APP_URLS || 'http://127.0.0.1:5000,http://localhost:5000')
  .split(',').map((u) => u.trim().replace(/\/+$/, '')).filter(Boolean);
const secret = process.env.DEVIDP_CLIENT_SECRET || 'devidp-secret-not-for-production';

function signingKeys() {
  if (process.env.DEVIDP_JWKS) return JSON.parse(process.env.DEVIDP_JWKS);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'devidp-1', use: 'sig', alg: 'RS256' }] };
}

// --- test users ---------------------------------------------------------------------------
// individuals: the card's 4 basic facts (基本4情報) and the reading, as OpenID Connect
// standard claims (the reading as the language-tagged claims `…#ja-Kana-JP`)
const USERS = {
  'resident-1': {
    kind: 'individual',
    label: '三重 太郎（個人・マイナンバーカード風）',
    claims: {
      name: '三重 太郎',
      family_name: '三重',
      given_name: '太郎',
      'name#ja-Kana-JP': 'ミエ タロウ',
      'family_name#ja-Kana-JP': 'ミエ',
      'given_name#ja-Kana-JP': 'タロウ',
      birthdate: '1985-04-01',
      gender: 'male',
      address: {
        formatted: '〒514-8570 三重県津市広明町13番地',
        postal_code: '5148570',
        region: '三重県',
        locality: '津市',
        street_address: '広明町13番地',
        country: 'JP',
      },
      email: 'taro.mie@example.jp',
      email_verified: true,
    },
  },
  'resident-2': {
    kind: 'individual',
    label: '伊勢 花子（個人・マイナンバーカード風）',
    claims: {
      name: '伊勢 花子',
      family_name: '伊勢',
      given_name: '花子',
      'name#ja-Kana-JP': 'イセ ハナコ',
      'family_name#ja-Kana-JP': 'イセ',
      'given_name#ja-Kana-JP': 'ハナコ',
      birthdate: '1992-11-23',
      gender: 'female',
      address: {
        formatted: '〒516-0037 三重県伊勢市岩渕1丁目7番29号',
        postal_code: '5160037',
        region: '三重県',
        locality: '伊勢市',
        street_address: '岩渕1丁目7番29号',
        country: 'JP',
      },
      email: 'hanako.ise@example.jp',
      email_verified: true,
    },
  },
  'business-1': {
    kind: 'business',
    label: '株式会社 鈴鹿テスト（法人・gBizID風）',
    claims: {
      name: '四日市 一郎',
      'name#ja-Kana-JP': 'ヨッカイチ イチロウ',
      email: 'ichiro@suzuka-test.example.jp',
      email_verified: true,
      corporate_number: '1234567890123',
      corporate_name: '株式会社鈴鹿テスト',
      representative_name: '鈴鹿 一郎',
      address: {
        formatted: '〒513-8701 三重県鈴鹿市神戸1丁目18番18号',
        postal_code: '5138701',
        region: '三重県',
        locality: '鈴鹿市',
        street_address: '神戸1丁目18番18号',
        country: 'JP',
      },
    },
  },
};

const SERVICES = { mynumber: 'individual', gbiz: 'business' };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:sans-serif;max-width:36rem;margin:1rem auto;padding:0 1rem}
.warn{background:#fde8e8;border:2px solid #b00;padding:.5rem 1rem;font-weight:bold}
button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font-size:1rem}</style>
</head><body><p class="warn">開発用ログイン（本物ではありません）/ Development sign-in: not real</p>
${body}</body></html>`;
}

function makeProvider(service, kind) {
  const clientId = `tetsuzuki-${service}`;
  const provider = new Provider(`${base}/${service}`, {
    clients: [{
      client_id: clientId,
      client_secret: secret,
      client_name: `Tetsuzuki (${service})`,
      redirect_uris: appUrls.map((u) => `${u}/signin/${service}/callback`),
      post_logout_redirect_uris: appUrls.map((u) => `${u}/signout/done`),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: keys,
    cookies: {
      keys: [randomBytes(32).toString('hex')],
      names: { session: `_session_${service}`, interaction: `_interaction_${service}`, resume: `_resume_${service}` },
    },
    async findAccount(ctx, id) {
      const user = USERS[id];
      if (!user || user.kind !== kind) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...user.claims }) };
    },
    claims: {
      openid: ['sub'],
      profile: [
        'name', 'family_name', 'given_name', 'name#ja-Kana-JP', 'family_name#ja-Kana-JP',
        'given_name#ja-Kana-JP', 'birthdate', 'gender',
      ],
      address: ['address'],
      email: ['email', 'email_verified'],
      corporate: ['corporate_number', 'corporate_name', 'representative_name'],
    },
    // the claims of the scopes granted go into the ID token itself (as well as userinfo)
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = page('ログアウト / Sign out', `<h1>ログアウトしますか / Sign out?</h1>${form}
  <button type="submit" form="op.logoutForm" value="yes" name="logout">ログアウトする / Sign out</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = page('ログアウトしました / Signed out', '<h1>ログアウトしました / Signed out</h1>');
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/${service}/interaction/${interaction.uid}` },
    // a first-party client: whatever it asks for is granted without a consent page
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
      await grant.save();
      return grant;
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('エラー / Error', `<h1>エラー / Error</h1><pre>${esc(JSON.stringify(out, null, 2))}</pre>`);
    },
  });
  return provider;
}

const keys = signingKeys();
const PROVIDERS = Object.fromEntries(
  Object.entries(SERVICES).map(([service, kind]) => [service, makeProvider(service, kind)]),
);

// the sign-in page (GET /<service>/interaction/<uid>) and its answer (POST …/login)
async function interaction(req, res, url) {
  const match = url.pathname.match(/^\/(\w+)\/interaction\/([\w-]+)(\/login)?$/);
  if (!match || !PROVIDERS[match[1]]) return false;
  const [, service, , login] = match;
  const provider = PROVIDERS[service];
  const kind = SERVICES[service];
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const buttons = Object.entries(USERS)
      .filter(([, u]) => u.kind === kind)
      .map(([id, u]) => `<button type="submit" name="account" value="${esc(id)}">${esc(u.label)}</button>`)
      .join('\n');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(page('開発用ログイン', `<h1>開発用ログイン / Development sign-in</h1>
<p>テスト用の利用者を選んでください。/ Choose a test user.</p>
<form method="post" action="/${service}/interaction/${esc(details.uid)}/login">${buttons}</form>`));
    return true;
  }
  if (req.method === 'POST' && login) {
    const body = await new Promise((resolve) => {
      let data = '';
      req.on('data', (chunk) => { data += chunk; if (data.length > 10000) req.destroy(); });
      req.on('end', () => resolve(new URLSearchParams(data)));
    });
    const account = body.get('account');
    if (!USERS[account] || USERS[account].kind !== kind) {
      res.statusCode = 400;
      res.end('unknown test user');
      return true;
    }
    await provider.interactionFinished(req, res, { login: { accountId: account } }, {
      mergeWithLastSubmission: false,
    });
    return true;
  }
  return false;
}

const callbacks = Object.fromEntries(Object.entries(PROVIDERS).map(([s, p]) => [s, p.callback()]));
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, base);
  try {
    if (await interaction(req, res, url)) return;
  } catch (err) {
    res.statusCode = 400;
    res.end(`interaction failed: ${err.message}`);
    return;
  }
  const service = url.pathname.split('/')[1];
  if (!callbacks[service]) {
    res.statusCode = 404;
    res.end('not found: the providers are /mynumber and /gbiz');
    return;
  }
  // mounted under /<service>: the provider sees the rest of the path (oidc-provider reads
  // the mount path from originalUrl, as under Express)
  req.originalUrl = req.url;
  req.url = req.url.slice(service.length + 1) || '/';
  callbacks[service](req, res);
});
server.listen(port, '127.0.0.1', () => {
  // the tests wait for this line
  console.log(`devidp listening on ${base} (/mynumber, /gbiz)`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
