// File: config.h
// Everything an operator can set, with its default. Each `serve` flag also reads an
// environment variable (TESSERA_<FLAG>); see README's configuration reference.
#pragma once

#include <string>
#include <vector>

#include "crypto/signing_key.h"

namespace tessera::app {

struct DatabaseConfig {
  std::string data_dir = "./var";  // SQLite database and the local master key
  std::string database_url;        // postgres://… selects PostgreSQL
  int pool_size = 8;
  bool sqlite_synchronous_full = false;
  std::string master_key_file;
  bool create = true;  // may create the database (serve, migrate); admin commands may not
  std::string SqlitePath() const { return data_dir + "/tessera.db"; }
};

struct Config {
  DatabaseConfig db;
  std::string listen = "127.0.0.1:8080";
  std::string public_url;  // default: http://{listen}
  bool insecure_http = false;  // allow an http public URL on a host that is not loopback
  int io_threads = 0;      // 0: one per core
  int workers = 0;  // 0: two per core
  size_t max_body_bytes = 64 * 1024;
  int read_timeout_s = 15;
  int idle_timeout_s = 60;
  int drain_timeout_s = 20;
  // At shutdown, seconds of serving on with /readyz failing before the listener closes.
  double shutdown_delay_s = 0;
  int max_connections = 0;  // 0: the descriptor limit minus what the process needs besides
  // Reverse proxies whose forwarding headers are believed (CIDR list; empty: none), and which
  // header they write: "x-forwarded-for" (with X-Forwarded-Proto) or "forwarded" (RFC 7239).
  std::vector<std::string> trusted_proxies;
  std::string forwarded_header = "x-forwarded-for";
  // /metrics: on its own HOST:PORT (and 404 on the public one), and/or behind a bearer token.
  std::string metrics_listen;
  std::string metrics_token;
  // Tokens.
  std::string jwt_alg = "ES256";  // access tokens
  // Algorithms with an active signing key (ID tokens per client); jwt_alg and RS256 always.
  std::string signing_algs = "ES256,RS256";
  // Scheduled key rotation: keys older than this many days are replaced (0 = never).
  double key_rotation_days = 0;
  // A rotated key is published this long before it signs (tokens/key_service.h).
  int64_t key_stage_s = 360;
  int64_t access_token_ttl_s = 600;
  int64_t refresh_token_ttl_s = 30LL * 24 * 3600;
  int64_t session_ttl_s = 90LL * 24 * 3600;
  // Passwords (OWASP argon2id defaults: 19 MiB, 2 passes).
  int argon2_memory_kib = 19 * 1024;
  int argon2_iterations = 2;
  int hash_concurrency = 0;  // 0: one per core
  int hash_queue = 32;            // most password checks that may wait at once
  double hash_max_wait_s = 2.0;   // longest expected wait a password check is queued for
  int password_min_length = 8;
  // Hosted pages and sign-in throttling.
  int64_t browser_session_idle_ttl_s = 8 * 3600;
  int64_t browser_session_ttl_s = 7 * 24 * 3600;
  int64_t login_max_failures_per_account = 10;
  int64_t login_max_failures_per_ip = 100;
  int64_t login_throttle_window_s = 15 * 60;
  int64_t audit_retention_days = 365;  // audit events older than this are deleted; 0 = keep all
  // Mail (src/mail): SMTP, or with no --smtp-url an outbox folder under the data dir.
  std::string smtp_url;  // smtp://host:port or smtps://host:port; "" = DATA_DIR/outbox
  std::string smtp_username;
  std::string smtp_password;
  std::string smtp_starttls = "auto";  // auto | always | never
  std::string mail_from = "Tessera <no-reply@localhost>";
  // Domains whose addresses apps may send From without DNS verification (issue 11, item 8);
  // any other app address becomes the Reply-To of mail sent from mail_from's address.
  std::vector<std::string> mail_allowed_domains;
  int64_t mail_retry_base_s = 30;  // first retry after a failed send; doubles up to 1 h
  // Sign-in through upstream providers (src/federation): whether Tessera may connect to
  // loopback, private and link-local addresses for them (default: public addresses only).
  bool federation_allow_private_hosts = false;
  // The same for deliveries Tessera sends (back-channel logout tokens, webhooks).
  bool outbound_allow_private_hosts = false;
  // How long a node holds a delivery it leased (outbound/delivery_worker.h): another node (or
  // this one, restarted) tries it again only after that. Tests shorten it.
  int64_t delivery_lease_s = 120;
  std::string log_level = "info";
};

}  // namespace tessera::app
