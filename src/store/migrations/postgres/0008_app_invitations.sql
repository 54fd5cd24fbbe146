-- Invitations to an app's membership (issue 11, item 7): an owner invites an address, the
-- developer accepts (or declines) from the console; only then is the membership made.
-- The mailed token is stored only as SHA-256. A row lives until accepted, declined, revoked,
-- or deleted after expires_at. Times: BIGINT ms since epoch, UTC.
CREATE TABLE app_invitations (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  invited_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
-- One invitation per address and app at a time.
CREATE UNIQUE INDEX app_invitations_address_uq ON app_invitations (app_id, email);
CREATE UNIQUE INDEX app_invitations_token_hash_uq ON app_invitations (token_hash);
CREATE INDEX app_invitations_email_idx ON app_invitations (email);
