-- Second factors (authenticator apps, passkeys), recovery codes, and the single-use
-- challenges of a sign-in that waits for a second factor. Times: BIGINT ms since epoch, UTC.

-- A user's factors. app_id has no foreign key of its own: the user's cascade removes the row
-- when the user (or the app) goes. The TOTP secret is sealed under the master key (never
-- stored in the clear). credential_id is a WebAuthn credential's id, NULL for TOTP (the
-- store writes "" as NULL): unique across the server where set, as WebAuthn asks (a
-- credential registered once is refused for any other account), while NULLs never clash, so
-- any number of TOTP factors may exist. confirmed_at is NULL until the user proved the factor
-- once: an unconfirmed factor does not count.
CREATE TABLE mfa_factors (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_sealed TEXT NOT NULL DEFAULT '',
  credential_id TEXT,
  public_key TEXT NOT NULL DEFAULT '',
  counter BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  confirmed_at BIGINT,
  last_used_at BIGINT
);
CREATE UNIQUE INDEX mfa_factors_credential_id_uq ON mfa_factors (credential_id);
CREATE INDEX mfa_factors_user_idx ON mfa_factors (app_id, user_id);

-- Recovery codes: only the SHA-256 of a code is stored (a code has 79 random bits, so the
-- hash is unique across the server and its index finds a code). A used code keeps its row
-- (used_at) until the user's set is replaced.
CREATE TABLE mfa_recovery_codes (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE UNIQUE INDEX mfa_recovery_codes_code_hash_uq ON mfa_recovery_codes (code_hash);
CREATE INDEX mfa_recovery_codes_user_idx ON mfa_recovery_codes (app_id, user_id);

-- Single-use challenges of a sign-in between its first and second factor, found by the
-- SHA-256 of the presented value. Deleted once expires_at has passed.
CREATE TABLE mfa_challenges (
  hash TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  user_id TEXT REFERENCES users (id) ON DELETE CASCADE,  -- NULL: a passkey sign-in names no one yet
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX mfa_challenges_expiry_idx ON mfa_challenges (expires_at);
