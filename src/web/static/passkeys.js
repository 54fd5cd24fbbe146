// Tessera's one first-party script: the WebAuthn ceremonies of the hosted pages (passkeys).
// It brings to life the forms marked data-passkey (hidden until then): on submit it asks the
// browser for a passkey with the options the server put in data-options, and posts the
// answer in the form's "credential" field. Every other way to sign in works without it.
// What it says comes from the page, in the page's language: the form's data-error-text.
(function () {
  'use strict';
  function toBuffer(text) {
    var s = text.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    var bin = atob(s);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes.buffer;
  }
  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function listed(list) {
    return (list || []).map(function (c) { return { type: c.type, id: toBuffer(c.id) }; });
  }
  function creationOptions(o) {
    o.challenge = toBuffer(o.challenge);
    o.user.id = toBuffer(o.user.id);
    o.excludeCredentials = listed(o.excludeCredentials);
    return o;
  }
  function requestOptions(o) {
    o.challenge = toBuffer(o.challenge);
    o.allowCredentials = listed(o.allowCredentials);
    return o;
  }
  function asJson(credential) {
    var r = credential.response;
    var out = { id: credential.id, rawId: toText(credential.rawId), type: credential.type,
                response: { clientDataJSON: toText(r.clientDataJSON) } };
    ['attestationObject', 'authenticatorData', 'signature', 'userHandle'].forEach(function (k) {
      if (r[k]) out.response[k] = toText(r[k]);
    });
    return JSON.stringify(out);
  }
  function say(form, message) {
    var p = form.querySelector('.passkey-error');
    if (p) { p.textContent = message; p.hidden = false; }
  }
  function send(form, credential) {
    form.querySelector('input[name="credential"]').value = asJson(credential);
    form.submit();
  }
  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    if (!window.PublicKeyCredential || !navigator.credentials) return;  // stays hidden
    var mode = form.getAttribute('data-passkey');
    var options = form.getAttribute('data-options');
    var pending = null;  // the conditional (autofill) request, aborted by a click
    form.hidden = false;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (pending) pending.abort();
      var ask = mode === 'register'
        ? navigator.credentials.create({ publicKey: creationOptions(JSON.parse(options)) })
        : navigator.credentials.get({ publicKey: requestOptions(JSON.parse(options)) });
      ask.then(function (credential) { send(form, credential); }, function () {
        say(form, form.getAttribute('data-error-text') ||
                  'No passkey was used. Try again, or sign in another way.');
      });
    });
    if (mode === 'authenticate' && form.getAttribute('data-conditional') === 'true' &&
        PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        if (!available) return;
        pending = new AbortController();
        navigator.credentials.get({ mediation: 'conditional', signal: pending.signal,
                                    publicKey: requestOptions(JSON.parse(options)) })
          .then(function (credential) { send(form, credential); }, function () {});
      });
    }
  });
})();
