-- Developer console: who manages which app (members), the apps' backend API keys, and keyset
-- paging over an app's users (PostgreSQL). Times: BIGINT ms since epoch, UTC.

-- A console user's place in an app. The user is a user of the console app; deleting either
-- the app or the user removes the membership.
CREATE TABLE app_members (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, user_id)
);
CREATE INDEX app_members_user_idx ON app_members (user_id);

-- Secret keys of apps' backends, stored only as SHA-256; created_by is the console user's id
-- ('' for the CLI) and has no foreign key, so a key outlives the member who made it.
CREATE TABLE app_api_keys (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
CREATE UNIQUE INDEX app_api_keys_key_hash_uq ON app_api_keys (key_hash);
CREATE INDEX app_api_keys_app_idx ON app_api_keys (app_id);

-- An app's users newest first, keyset paging on (created_at, id).
CREATE INDEX users_app_created_idx ON users (app_id, created_at, id);
