-- Imports from other systems (user_import/): which user each imported record became, by the
-- record's key in its source ("django:auth.user:42"). Re-running an import finds the user
-- here and updates it instead of making a second one, even when the email changed since; a
-- DRF token or a profile row of the same dump names its user by that key.
CREATE TABLE user_import_keys (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  source_key TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (app_id, source_key)
);
CREATE INDEX user_import_keys_user_idx ON user_import_keys (user_id);
