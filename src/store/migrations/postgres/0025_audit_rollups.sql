-- Console insight (issue 20): the audit log counted by day, so the consoles' charts read at
-- most 90 days of counters whatever the log's size (audit/insights.h).

-- Which complete UTC days (days since 1970-01-01) are counted.
CREATE TABLE audit_rollup_days (
  day BIGINT PRIMARY KEY,
  rolled_at BIGINT NOT NULL
);

-- One counter of one app's day: signups, logins, logins_failed, dau, mau ('' key), or
-- login_method (key: the method). Kept when the events themselves expire (retention).
CREATE TABLE audit_daily_counts (
  app_id TEXT NOT NULL,
  day BIGINT NOT NULL,
  metric TEXT NOT NULL,
  key TEXT NOT NULL DEFAULT '',
  value BIGINT NOT NULL,
  PRIMARY KEY (app_id, day, metric, key)
);
CREATE INDEX audit_daily_counts_day_idx ON audit_daily_counts (day);

-- Who signed in on a day (per app), kept 31 days: monthly active users are the distinct ones
-- of 30 days.
CREATE TABLE audit_active_users (
  app_id TEXT NOT NULL,
  day BIGINT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (app_id, day, user_id)
);
CREATE INDEX audit_active_users_day_idx ON audit_active_users (day);

-- Counting a day's sign-ups and sign-ins of one app reads only those events.
CREATE INDEX audit_events_app_action_at_idx ON audit_events (app_id, action, at);
