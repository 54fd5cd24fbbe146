-- DPoP (RFC 9449, issue 19).
-- Proofs seen, by the SHA-256 of their key's thumbprint and jti: each is accepted once, on
-- any node, while its iat could still pass as fresh (expires_at); then it is deleted.
CREATE TABLE dpop_proofs (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  proof_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, proof_id)
);
CREATE INDEX dpop_proofs_expires_idx ON dpop_proofs (expires_at);
-- The key an authorization request named (dpop_jkt, §10): its code is redeemed only with a
-- proof of that key. "" = none named.
ALTER TABLE authorization_codes ADD COLUMN dpop_jkt TEXT NOT NULL DEFAULT '';
-- The key a public client's grant is bound to (§5): its refresh tokens are spent only with a
-- proof of that key. "" = not bound.
ALTER TABLE sessions ADD COLUMN dpop_jkt TEXT NOT NULL DEFAULT '';
