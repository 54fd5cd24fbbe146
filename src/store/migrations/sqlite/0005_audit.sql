-- Audit log: append-only security events (sign-ins, password changes, token and client
-- changes, settings, admin actions) (SQLite). Never holds secrets.
-- Times: INTEGER ms since epoch, UTC. app_id is NULL for server-wide events; it has no foreign
-- key, so the trail outlives a deleted app (retention deletes old rows).
CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  app_id TEXT,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL DEFAULT '',
  subject_type TEXT NOT NULL DEFAULT '',
  subject_id TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL,
  details_json TEXT NOT NULL DEFAULT '{}'
);
-- Newest first per app, keyset paging on (at, id); and the same across apps (operator
-- queries, retention deletes by at).
CREATE INDEX audit_events_app_at_idx ON audit_events (app_id, at, id);
CREATE INDEX audit_events_at_idx ON audit_events (at, id);
