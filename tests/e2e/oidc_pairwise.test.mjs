// Pairwise subject identifiers (OIDC Core §8.1) end to end with an unmodified openid-client
// v6 through chromium: discovery lists "pairwise" only while the app allows it; a pairwise
// client's ID token, userinfo (the library checks the sub against the ID token's), refreshed
// tokens and introspection all name the user by one sub that is not the user's id; a second
// pairwise client of the same sector (the host of its redirect URIs) gets the same sub and a
// public client the user's id; RP-initiated logout with a pairwise client's id_token_hint
// signs the user out without asking (the hint names them); registration refuses pairwise
// clients while the app has it off, and ones whose redirect URIs span two hosts.
//
// Run alone:  node --test tests/e2e/oidc_pairwise.test.mjs
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, request, sleep } from './lib/server.mjs';
import { importOidcClient, registerClient } from './lib/oidc.mjs';
import { startOidcFlowFixture } from './lib/oidc_flow.mjs';

const client = await importOidcClient();

for (const backend of backends()) {
  describe(`pairwise subject identifiers (OIDC Core §8.1) [${backend}]`, () => {
    let fixture, srv, issuer, rp, newPage, codeFlow, browser, configFor, user;
    before(async () => {
      fixture = await startOidcFlowFixture(backend, `oidc-pairwise-${backend}`);
      ({ srv, issuer, rp, newPage, codeFlow, browser, configFor, user } = fixture);
    });
    after(() => fixture?.close());

    const discovery = async () => (await request('GET', `${issuer}/.well-known/openid-configuration`)).body;
    const pairwise = (name, extra = {}) => registerClient(srv, { name, redirectUris: [rp.url('/callback')],
      postLogoutRedirectUris: [rp.url('/logged-out')], subjectType: 'pairwise', ...extra });

    test('off by default: only public subjects, and no pairwise client can be registered', async () => {
      assert.deepEqual((await discovery()).subject_types_supported, ['public']);
      await assert.rejects(pairwise('Too early'), /subject_type/);
    });

    test('on: a pairwise client names the user by its sector\'s sub everywhere', async () => {
      await srv.admin(['update-app', '--app', srv.app, '--pairwise-subjects', 'true']);
      for (let i = 0; i < 80 && (await discovery()).subject_types_supported.length < 2; i++) await sleep(100);
      assert.deepEqual((await discovery()).subject_types_supported, ['public', 'pairwise']);
      const photos = await pairwise('Photos');
      const albums = await pairwise('Albums');  // the same host: the same sector
      const plain = await registerClient(srv, { name: 'Plain', redirectUris: [rp.url('/callback')] });
      assert.equal(photos.subject_type, 'pairwise');
      const photosConfig = await configFor(photos);
      const { context, page } = await newPage(browser);
      try {
        const r = await codeFlow(page, photosConfig, { scope: 'openid email offline_access' });
        const sub = r.claims.sub;
        assert.notEqual(sub, user.user.id);
        assert.match(sub, /^[A-Za-z0-9_-]{43}$/);
        // openid-client checks userinfo's sub against the one it expects (OIDC Core §5.3.2).
        const info = await client.fetchUserInfo(photosConfig, r.tokens.access_token, sub);
        assert.equal(info.email, user.email);
        const refreshed = await client.refreshTokenGrant(photosConfig, r.tokens.refresh_token);
        assert.equal(refreshed.claims().sub, sub);
        const introspected = await client.tokenIntrospection(photosConfig, refreshed.access_token);
        assert.equal(introspected.active, true);
        assert.equal(introspected.sub, sub);
        const albumsRun = await codeFlow(page, await configFor(albums), { scope: 'openid' });
        assert.equal(albumsRun.claims.sub, sub, 'one sector, one sub');
        const plainRun = await codeFlow(page, await configFor(plain), { scope: 'openid' });
        assert.equal(plainRun.claims.sub, user.user.id, 'a public client gets the user id');

        // RP-initiated logout with the pairwise hint: it names the signed-in user, so no question.
        const state = client.randomState();
        const end = client.buildEndSessionUrl(photosConfig, { id_token_hint: refreshed.id_token,
          post_logout_redirect_uri: rp.url('/logged-out'), state });
        const landed = rp.next('/logged-out', { match: (u) => u.searchParams.get('state') === state });
        landed.catch(() => {});
        await page.goto(end.href);
        await landed;
        const again = await codeFlow(page, photosConfig, { scope: 'openid' });
        assert.deepEqual(again.seen, ['login'], 'signed out: the next flow asks to sign in');
        assert.equal(again.claims.sub, sub);
      } finally {
        await context.close();
      }
    });

    test('a pairwise client\'s redirect URIs must share one host', async () => {
      await assert.rejects(pairwise('Two hosts', {
        redirectUris: [rp.url('/callback'), 'https://elsewhere.example/cb'] }), /redirect_uris|host/);
    });
  });
}
