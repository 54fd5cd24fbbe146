-- Signed request objects (JAR, RFC 9101; issue 19): a client's public keys (a JWK Set, JSON
-- text; '' = none) verify the request objects it signs; a client may be required to sign
-- (or push) every authorization request.
ALTER TABLE oauth_clients ADD COLUMN jwks TEXT NOT NULL DEFAULT '';
ALTER TABLE oauth_clients ADD COLUMN require_signed_request_object INTEGER NOT NULL DEFAULT 0;
