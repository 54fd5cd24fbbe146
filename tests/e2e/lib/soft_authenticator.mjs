// A software WebAuthn authenticator for the e2e tests, with node:crypto only (the JavaScript
// counterpart of tests/support/soft_authenticator.h): ES256 (P-256) credentials, attestation
// "none", and the JSON a browser's PublicKeyCredential.toJSON() gives — what an app's own
// front end sends to the JSON API as `passkey`.
//
//   const auth = new SoftAuthenticator();
//   const passkey = auth.create(creationOptions, { origin });          // registration
//   const answer = auth.get(requestOptions, { origin, uv: false });    // assertion
//
// create() makes a discoverable credential for options.rp.id and options.user.id (the user
// handle every assertion of it carries); get() answers with the credential allowCredentials
// names, or (none listed: a discoverable sign-in) the one credential this authenticator holds
// for the RP ID, or the one given as `credential`. The signature counter starts at 0 and goes
// up by one per assertion.
//
// Both take overrides for the negative tests, applied as given (nothing is "fixed up"):
// rpId (hashed into authenticatorData), type, challenge, crossOrigin, up/uv/be/bs (flags),
// signCount, userHandle (get; null leaves it out).
import crypto from 'node:crypto';

// ---------------------------------------------------------------- CBOR (RFC 8949), encoding only
// Enough for COSE keys and attestation objects: unsigned and negative integers, byte strings,
// text strings, arrays and maps, all of definite length. A JS Map keeps its keys' order (and
// may have integer keys, as COSE labels are); a plain object is a map with text keys.

function head(major, n) {
  if (typeof n === 'bigint' ? n < 0n : n < 0 || !Number.isInteger(n)) {
    throw new RangeError(`CBOR: not an unsigned integer: ${n}`);
  }
  const m = major << 5;
  if (n < 24) return Buffer.from([m | Number(n)]);
  if (n < 0x100) return Buffer.from([m | 24, Number(n)]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = m | 25;
    b.writeUInt16BE(Number(n), 1);
    return b;
  }
  if (n < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = m | 26;
    b.writeUInt32BE(Number(n), 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = m | 27;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}

/** The CBOR bytes of `value`: integer (number or bigint), Buffer/Uint8Array, string, Array, Map, object. */
export function cborEncode(value) {
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new RangeError(`CBOR: only integers are supported, not ${value}`);
    }
    const big = BigInt(value);
    return big >= 0n ? head(0, big < 2n ** 32n ? Number(big) : big)
      : head(1, -1n - big < 2n ** 32n ? Number(-1n - big) : -1n - big);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const utf8 = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, utf8.length), utf8]);
  }
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cborEncode)]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cborEncode(k), cborEncode(v));
    return Buffer.concat(parts);
  }
  if (value && typeof value === 'object') return cborEncode(new Map(Object.entries(value)));
  throw new TypeError(`CBOR: cannot encode ${typeof value}`);
}

// ---------------------------------------------------------------- WebAuthn pieces

export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 };
export const COSE_ES256 = -7;
const ZERO_AAGUID = Buffer.alloc(16);

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

/** The COSE_Key (RFC 9053, EC2) of a P-256 public KeyObject: {1: 2, 3: -7, -1: 1, -2: x, -3: y}. */
export function coseKeyOf(publicKey) {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Error('an ES256 key must be P-256');
  return cborEncode(new Map([
    [1, 2], // kty: EC2
    [3, COSE_ES256], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, Buffer.from(jwk.x, 'base64url')],
    [-3, Buffer.from(jwk.y, 'base64url')],
  ]));
}

/**
 * authenticatorData (WebAuthn §6.1): SHA-256(rpId) ‖ flags ‖ signCount (4 bytes, big-endian)
 * [‖ AAGUID (16) ‖ credential id length (2) ‖ credential id ‖ COSE key] — the attested
 * credential data when `attested` ({credentialId, coseKey, aaguid?}) is given (flag AT set).
 */
export function authenticatorData({ rpId, flags, signCount = 0, attested = null }) {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount >>> 0);
  const parts = [sha256(rpId), Buffer.from([(flags | (attested ? FLAGS.AT : 0)) & 0xff]), counter];
  if (attested) {
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(attested.credentialId.length);
    parts.push(attested.aaguid ?? ZERO_AAGUID, idLength, attested.credentialId, attested.coseKey);
  }
  return Buffer.concat(parts);
}

/** clientDataJSON (WebAuthn §5.8.1) as a browser serializes it: type, challenge, origin, crossOrigin. */
export function clientDataJSON({ type, challenge, origin, crossOrigin = false }) {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin }), 'utf8');
}

/** The "none" attestation object: {fmt: "none", attStmt: {}, authData}. */
export function noneAttestation(authData) {
  return cborEncode(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
}

function flagsOf({ up = true, uv = true, be = false, bs = false }) {
  return (up ? FLAGS.UP : 0) | (uv ? FLAGS.UV : 0) | (be ? FLAGS.BE : 0) | (bs ? FLAGS.BS : 0);
}

class AuthenticatorError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

/** A platform authenticator holding ES256 discoverable credentials. */
export class SoftAuthenticator {
  /** opts.backupEligible/backedUp: the BE/BS flags of its credentials (a synced passkey). */
  constructor({ backupEligible = false, backedUp = false, aaguid = ZERO_AAGUID } = {}) {
    this.backupEligible = backupEligible;
    this.backedUp = backedUp;
    this.aaguid = Buffer.from(aaguid);
    /** base64url credential id → {id, rawId (Buffer), rpId, userHandle (Buffer), privateKey, publicKey, signCount} */
    this.credentials = new Map();
  }

  /**
   * navigator.credentials.create({publicKey: options}) with `options` in WebAuthn JSON form
   * (PublicKeyCredentialCreationOptionsJSON), run on the page at `origin`: the new
   * credential's RegistrationResponseJSON. Refuses (throws) as an authenticator would when
   * ES256 is not offered or one of excludeCredentials is here.
   */
  create(options, { origin, uv = true, up = true, rpId, type = 'webauthn.create', challenge,
    crossOrigin = false, signCount = 0 } = {}) {
    if (!origin) throw new Error('create: the page origin is needed');
    if (!options?.rp || !options.user || !options.challenge) throw new Error(`create: not creation options: ${JSON.stringify(options)}`);
    if (!(options.pubKeyCredParams ?? []).some((p) => p.type === 'public-key' && p.alg === COSE_ES256)) {
      throw new AuthenticatorError('NotSupportedError', 'ES256 is not among pubKeyCredParams');
    }
    const realRpId = options.rp.id;
    for (const ex of options.excludeCredentials ?? []) {
      if (this.credentials.get(ex.id)?.rpId === realRpId) {
        throw new AuthenticatorError('InvalidStateError', `credential ${ex.id} is excluded`);
      }
    }
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rawId = crypto.randomBytes(32);
    const id = b64url(rawId);
    const credential = { id, rawId, rpId: realRpId, userHandle: Buffer.from(options.user.id, 'base64url'),
      privateKey, publicKey, signCount };
    this.credentials.set(id, credential);

    const flags = flagsOf({ up, uv, be: this.backupEligible, bs: this.backedUp });
    const authData = authenticatorData({ rpId: rpId ?? realRpId, flags, signCount,
      attested: { credentialId: rawId, coseKey: coseKeyOf(publicKey), aaguid: this.aaguid } });
    const clientData = clientDataJSON({ type, challenge: challenge ?? options.challenge, origin, crossOrigin });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(noneAttestation(authData)),
        authenticatorData: b64url(authData),
        transports: ['internal'],
        publicKey: b64url(publicKey.export({ format: 'der', type: 'spki' })),
        publicKeyAlgorithm: COSE_ES256,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }

  /** The credential get() uses for `options` (see the top of this file). */
  pick(options, credential) {
    if (credential) {
      const c = this.credentials.get(typeof credential === 'string' ? credential : credential.id);
      if (!c) throw new AuthenticatorError('NotAllowedError', 'no such credential here');
      return c;
    }
    const allow = options.allowCredentials ?? [];
    const mine = [...this.credentials.values()].filter((c) => c.rpId === options.rpId &&
      (allow.length === 0 || allow.some((a) => a.id === c.id)));
    if (mine.length === 0) throw new AuthenticatorError('NotAllowedError', `no credential for ${options.rpId} here`);
    if (mine.length > 1) throw new Error('get: several credentials fit; name one with `credential`');
    return mine[0];
  }

  /**
   * navigator.credentials.get({publicKey: options}) with `options` in WebAuthn JSON form
   * (PublicKeyCredentialRequestOptionsJSON), run on the page at `origin`: the
   * AuthenticationResponseJSON, signed (ECDSA P-256 SHA-256, DER) over
   * authenticatorData ‖ SHA-256(clientDataJSON).
   */
  get(options, { origin, uv = true, up = true, credential, rpId, type = 'webauthn.get', challenge,
    crossOrigin = false, signCount, userHandle } = {}) {
    if (!origin) throw new Error('get: the page origin is needed');
    if (!options?.challenge) throw new Error(`get: not request options: ${JSON.stringify(options)}`);
    const c = this.pick(options, credential);
    c.signCount = signCount ?? c.signCount + 1;
    const flags = flagsOf({ up, uv, be: this.backupEligible, bs: this.backedUp });
    const authData = authenticatorData({ rpId: rpId ?? c.rpId, flags, signCount: c.signCount });
    const clientData = clientDataJSON({ type, challenge: challenge ?? options.challenge, origin, crossOrigin });
    const signature = crypto.sign('sha256', Buffer.concat([authData, sha256(clientData)]), c.privateKey);
    const handle = userHandle === undefined ? c.userHandle : userHandle;
    return {
      id: c.id,
      rawId: c.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(handle === null ? {} : { userHandle: b64url(handle) }),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}
