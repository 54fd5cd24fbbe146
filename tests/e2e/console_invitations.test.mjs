// Issue 11, item 7, over HTTP against the real binary with a real SMTP server (lib/smtp.mjs):
// console membership needs the invitee's consent.
// - inviting answers alike (202, same body shape) for a console account, an operator, an end
//   user of another app and an unknown address, and mails each; nobody is a member before
//   accepting (before the fix: 201 and an instant membership for an account, 400 "no developer
//   with this address" for the others);
// - the mailed link (tinv_ token): only the invited address's console user accepts it, once;
//   declining and revoking; owners list pending invitations;
// - anyone may leave; the last owner may not;
// - an inviter sends at most 20 invitations an hour (429);
// - the pages: the console home links to the invitations page; the mailed link shows the
//   invitation there (its GET changes nothing) and Accept makes the membership.
import assert from 'node:assert/strict';
import {
  backends, test, describe, before, after, uniqEmail, rand, show, assertStatus, assertProblem,
} from './lib/server.mjs';
import { skipWithoutSmtp as skip, startMailStack } from './lib/mailflow.mjs';
import { developer, signIn } from './lib/console.mjs';
import { WebClient, parseForms, htmlText } from './lib/oidc.mjs';

/** The tinv_ token of the (first) mail inviting `to` to the app `slug` (named `App ${slug}`). */
async function invitationToken(smtp, to, slug) {
  const mail = await smtp.waitFor({ to, subject: `Invitation to manage App ${slug}` });
  const link = mail.links.find((l) => l.includes('/console/invitations?token='));
  assert.ok(link, mail.text);
  const token = new URL(link).searchParams.get('token');
  assert.match(token, /^tinv_[A-Za-z0-9_-]{40,}$/);
  return token;
}

for (const backend of backends()) {
  describe(`console invitations [${backend}]`, { skip }, () => {
    let smtp, srv, capi, X, Y, OP;
    const newApp = async (dev, tag) => {
      const slug = `${tag}-${rand(10)}`;
      assertStatus(await capi(dev, 'POST', '/apps', { json: { slug, name: `App ${slug}` } }), 201);
      return slug;
    };
    before(async () => {
      ({ smtp, srv } = await startMailStack(backend, 'console-invitations'));
      capi = (dev, method, path, opts = {}) => srv.req(method, `/api/console${path}`, { token: dev?.token, ...opts });
      X = await developer(srv, 'x');
      Y = await developer(srv, 'y');
      const opEmail = uniqEmail('op');
      await srv.createUser({ app: 'console', email: opEmail, password: 'an operator passphrase', admin: true });
      OP = await signIn(srv, opEmail, 'an operator passphrase');
    });
    after(async () => {
      await srv?.close();
      await smtp?.close();
    });

    test('inviting answers alike for any address, mails it, and makes nobody a member', async () => {
      const slug = await newApp(X, 'inv');
      const endUser = uniqEmail('enduser');
      assertStatus(await srv.api('POST', '/api/signup', { app: 'default', json: { email: endUser, password: `pw-${rand(16)}` } }), 201);
      const answers = [];
      for (const email of [Y.email, OP.email, endUser, uniqEmail('nobody')]) {
        const r = await capi(X, 'POST', `/apps/${slug}/members`, { json: { email, role: 'owner' } });
        assertStatus(r, 202);
        answers.push(Object.keys(r.body).sort().join(','));
        assert.equal(r.body.email, email.toLowerCase());
        await invitationToken(smtp, email, slug);
      }
      assert.equal(new Set(answers).size, 1, `one body shape: ${answers}`);
      assertProblem(await capi(Y, 'GET', `/apps/${slug}`), 404, 'not-found');
      const members = await capi(X, 'GET', `/apps/${slug}/members`);
      assert.deepEqual(members.body.members.map((m) => m.user_id), [X.id], show(members));
      const pending = await capi(X, 'GET', `/apps/${slug}/invitations`);
      assertStatus(pending, 200);
      assert.equal(pending.body.invitations.length, 4);
      assertProblem(await capi(X, 'POST', `/apps/${slug}/members`, { json: { email: Y.email } }), 409, 'conflict');
    });

    test('the mailed link: only the invited developer accepts it, once; decline and revoke', async () => {
      const slug = await newApp(X, 'link');
      const Z = await developer(srv, 'z');
      assertStatus(await capi(X, 'POST', `/apps/${slug}/members`, { json: { email: Y.email, role: 'member' } }), 202);
      const token = await invitationToken(smtp, Y.email, slug);
      assertProblem(await capi(Z, 'POST', '/invitations/accept', { json: { token } }), 404, 'not-found');
      assertProblem(await capi(Y, 'POST', '/invitations/accept', { json: { token: `tinv_${rand(43)}` } }), 404, 'not-found');
      const ok = await capi(Y, 'POST', '/invitations/accept', { json: { token } });
      assertStatus(ok, 200);
      assert.deepEqual([ok.body.app.slug, ok.body.role], [slug, 'member']);
      assertProblem(await capi(Y, 'POST', '/invitations/accept', { json: { token } }), 404, 'not-found');
      assert.equal((await capi(Y, 'GET', `/apps/${slug}`)).body.role, 'member');

      // Declined: no membership. Revoked: the link is dead.
      assertStatus(await capi(X, 'POST', `/apps/${slug}/members`, { json: { email: Z.email } }), 202);
      const zToken = await invitationToken(smtp, Z.email, slug);
      assertStatus(await capi(Z, 'POST', '/invitations/decline', { json: { token: zToken } }), 204);
      assertProblem(await capi(Z, 'GET', `/apps/${slug}`), 404, 'not-found');
      const again = await capi(X, 'POST', `/apps/${slug}/members`, { json: { email: Z.email } });
      assertStatus(again, 202);
      assertStatus(await capi(X, 'DELETE', `/apps/${slug}/invitations/${again.body.id}`), 204);
      const audit = await capi(X, 'GET', `/apps/${slug}/audit-events`);
      const actions = (audit.body.events ?? []).map((e) => e.action);
      for (const a of ['app.invitation_sent', 'app.invitation_accepted', 'app.invitation_declined', 'app.invitation_revoked']) {
        assert.ok(actions.includes(a), `${a} in ${actions}`);
      }
    });

    test('a member may leave; the last owner may not', async () => {
      const slug = await newApp(X, 'leave');
      assertStatus(await capi(X, 'POST', `/apps/${slug}/members`, { json: { email: Y.email } }), 202);
      assertStatus(await capi(Y, 'POST', '/invitations/accept', { json: { token: await invitationToken(smtp, Y.email, slug) } }), 200);
      assertProblem(await capi(Y, 'DELETE', `/apps/${slug}/members/${X.id}`), 403, 'forbidden');
      assertStatus(await capi(Y, 'DELETE', `/apps/${slug}/members/${Y.id}`), 204);
      assertProblem(await capi(Y, 'GET', `/apps/${slug}`), 404, 'not-found');
      assertProblem(await capi(X, 'DELETE', `/apps/${slug}/members/${X.id}`), 409, 'conflict');
    });

    test('an inviter sends at most 20 invitations an hour', async () => {
      const W = await developer(srv, 'w');
      const slug = await newApp(W, 'cap');
      const codes = [];
      for (let i = 0; i < 21; i++) {
        codes.push((await capi(W, 'POST', `/apps/${slug}/members`, { json: { email: uniqEmail(`spray${i}`) } })).status);
      }
      assert.deepEqual(codes, [...Array(20).fill(202), 429]);
    });

    test('the pages: from the console home to the mailed invitation, and Accept', async () => {
      const slug = await newApp(X, 'page');
      assertStatus(await capi(X, 'POST', `/apps/${slug}/members`, { json: { email: Y.email, role: 'member' } }), 202);
      const token = await invitationToken(smtp, Y.email, slug);
      const web = new WebClient(srv, { app: 'console' });
      assert.equal((await web.signIn(Y.email, Y.password)).status, 303);
      const home = await web.get('/console');
      assert.equal(home.status, 200, show(home));
      assert.ok(home.text.includes('href="/console/invitations"'), 'the console home links to the invitations');
      const page = await web.get(`/console/invitations?token=${token}`);
      assert.equal(page.status, 200, show(page));
      assert.ok(htmlText(page.text).includes(`App ${slug}`), htmlText(page.text).slice(0, 600));
      assertStatus(await capi(Y, 'GET', `/apps/${slug}`), 404);  // the GET joined nothing
      const accept = parseForms(page.text).find((f) => f.method === 'post' && f.action.endsWith('/invitations/accept'));
      assert.ok(accept?.fields.csrf_token, 'an Accept form with its CSRF token');
      const done = await web.submit(accept, page.url);
      assert.equal(done.status, 303, show(done));
      assertStatus(await capi(Y, 'GET', `/apps/${slug}`), 200);
    });
  });
}
