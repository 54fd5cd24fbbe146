-- Sign-in through upstream identity providers (issue 14). Times: INTEGER ms since epoch, UTC;
-- booleans 0/1.

-- An app's upstream providers. The client secret is sealed under the master key (never
-- stored in the clear); "" columns mean "discovered" or "the connector's default".
CREATE TABLE identity_providers (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  kind TEXT NOT NULL,
  display_name TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  client_id TEXT NOT NULL,
  client_secret_sealed TEXT NOT NULL DEFAULT '',
  issuer TEXT NOT NULL DEFAULT '',
  authorization_endpoint TEXT NOT NULL DEFAULT '',
  token_endpoint TEXT NOT NULL DEFAULT '',
  userinfo_endpoint TEXT NOT NULL DEFAULT '',
  jwks_uri TEXT NOT NULL DEFAULT '',
  scopes TEXT NOT NULL DEFAULT '',
  claim_mapping_json TEXT NOT NULL DEFAULT '{}',
  allow_signup INTEGER NOT NULL DEFAULT 1,
  trust_email INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- The slug names the provider in the app's URLs ({issuer}/federation/{slug}/callback).
CREATE UNIQUE INDEX identity_providers_slug_uq ON identity_providers (app_id, slug);

-- Upstream identities linked to users. app_id has no foreign key of its own: the user's
-- (and the provider's) cascade removes the row when the app goes.
CREATE TABLE linked_identities (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider_id TEXT NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  username TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL
);
-- One upstream identity is one user; a user has at most one identity per provider.
CREATE UNIQUE INDEX linked_identities_provider_subject_uq
  ON linked_identities (provider_id, subject);
CREATE UNIQUE INDEX linked_identities_user_provider_uq ON linked_identities (user_id, provider_id);
CREATE INDEX linked_identities_user_idx ON linked_identities (app_id, user_id);

-- Single-use tickets across a redirect (login state, a pending link, the API's one-time code),
-- found by the SHA-256 of the presented value. Deleted once expires_at has passed.
CREATE TABLE federation_tickets (
  hash TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  payload_json TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX federation_tickets_expiry_idx ON federation_tickets (expires_at);
