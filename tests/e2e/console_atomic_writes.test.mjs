// Issue 11, item 12, over HTTP against the real binary: the console's multi-step writes are
// atomic, so requests at the same time lose nothing.
// - settings: PATCHes of different settings keys of one app at once all persist (the
//   merge happens inside the update's transaction, not on a copy read before it);
// - owners: two owners each removing the other at once leave the app one owner.
import assert from 'node:assert/strict';
import { backends, test, describe, before, after, assertStatus, show } from './lib/server.mjs';
import { startConsoleFixture, joinByInvitation } from './lib/console.mjs';

for (const backend of backends()) {
  describe(`console atomic writes [${backend}]`, () => {
    let X, Y, OP, capi, newApp, srv;
    before(async () => {
      ({ srv, X, Y, OP, capi, newApp } = await startConsoleFixture(backend, `console-atomic-${backend}`));
    });
    after(() => srv?.close());

    test('concurrent PATCHes of different settings keys all persist', async () => {
      const { slug } = await newApp(X, 'patch');
      const lost = [];
      for (let i = 0; i < 60; i++) {
        // Eight keys, each PATCHed alone, all at once.
        const want = {
          password_min_length: 8 + i,
          access_token_ttl_s: 60 + i,
          refresh_token_ttl_s: 3600 + i,
          email_code_login: i % 2 === 0,
          display_name: `Brand ${i}`,
          mail_sender_name: `Sender ${i}`,
          accent_color: `#0000${String(i).padStart(2, '0')}`,
          redirect_uris: [`https://app.example/cb/${i}`],
        };
        const answers = await Promise.all(Object.entries(want).map(([k, v]) =>
          capi(X, 'PATCH', `/apps/${slug}`, { json: { settings: { [k]: v } } })));
        for (const a of answers) assertStatus(a, 200);
        const got = await capi(X, 'GET', `/apps/${slug}`);
        assertStatus(got, 200);
        const kept = Object.fromEntries(Object.keys(want).map((k) => [k, got.body.settings[k]]));
        if (JSON.stringify(kept) !== JSON.stringify(want)) lost.push(`round ${i}: ${JSON.stringify(kept)}`);
      }
      assert.deepEqual(lost, [], 'a concurrent PATCH overwrote another key');
    });

    test('two owners removing each other at once leave the app one owner', async () => {
      const ownerless = [];
      for (let i = 0; i < 25; i++) {
        // Each round's app is made by X or Y in turn: an inviter may send 20 invitations an hour.
        const [owner, invitee] = i % 2 ? [Y, X] : [X, Y];
        const { slug } = await newApp(owner, 'own');
        await joinByInvitation(capi, { owner, invitee, op: OP, slug, role: 'owner' });
        const [a, b] = await Promise.all([
          capi(X, 'DELETE', `/apps/${slug}/members/${Y.id}`),
          capi(Y, 'DELETE', `/apps/${slug}/members/${X.id}`),
        ]);
        const codes = [a.status, b.status].sort();
        // One wins (204); the other finds the caller gone (404) or the last owner (409).
        assert.ok(codes.includes(204), show(a));
        const left = [];
        for (const dev of [X, Y]) {
          const m = await capi(dev, 'GET', `/apps/${slug}/members`);
          if (m.status === 200) left.push(...m.body.members.filter((x) => x.role === 'owner'));
        }
        if (left.length === 0) ownerless.push(`round ${i}: ${codes}`);
      }
      assert.deepEqual(ownerless, [], 'apps left without an owner');
    });
  });
}
