// pocket_server: the Pocket blog's backend on Tessera (examples/pocket/README.md).
//
//   pocket_server --issuer http://127.0.0.1:8080/apps/pocket --client-id CLIENT_ID
//                 [--listen 127.0.0.1:8090] [--db ./pocket.db] [--web-dir examples/pocket/web]
//                 [--accept-client-id ID]... [--jwks-url URL] [--threads N]
//                 [--introspection-client-id ID --introspection-secret-file FILE]
//                 [--introspection-url URL]
//
// Every option may also come from the environment: POCKET_ISSUER, POCKET_CLIENT_ID,
// POCKET_LISTEN, POCKET_DB, POCKET_WEB_DIR, POCKET_JWKS_URL, POCKET_INTROSPECTION_CLIENT_ID,
// POCKET_INTROSPECTION_SECRET_FILE, POCKET_INTROSPECTION_URL; the secret itself also as
// POCKET_INTROSPECTION_CLIENT_SECRET (never as an argument: every user of the machine can
// read a process's arguments).
//
// With an introspection client (a confidential client of the app registered with
// --resource-server), Bearer tokens that are not JWTs — Tessera API tokens, and the old
// blog's 64-hex tokens that `tessera import django` brought over — are checked at Tessera's
// introspection endpoint.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http_server.h"
#include "pocket_api.h"
#include "store.h"
#include "tessera/resource_server/access_token_verifier.h"
#include "tessera/resource_server/jwks_cache.h"
#include "tessera/resource_server/token_introspector.h"

#ifndef POCKET_DEFAULT_WEB_DIR
#define POCKET_DEFAULT_WEB_DIR "web"
#endif

namespace {

namespace rs = tessera::resource_server;

std::string Env(const char* name, std::string fallback = {}) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

int Usage(const std::string& problem) {
  std::cerr << "pocket_server: " << problem << "\n"
            << "usage: pocket_server --issuer URL --client-id ID [--listen HOST:PORT] [--db FILE]\n"
            << "                     [--web-dir DIR] [--accept-client-id ID]... [--jwks-url URL]\n"
            << "                     [--threads N] [--introspection-client-id ID\n"
            << "                     --introspection-secret-file FILE] [--introspection-url URL]\n";
  return 2;
}

// The first line of `path` (a secret file), without trailing whitespace; nullopt if unreadable.
std::optional<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  std::string issuer = Env("POCKET_ISSUER");
  std::string client_id = Env("POCKET_CLIENT_ID");
  std::string listen = Env("POCKET_LISTEN", "127.0.0.1:8090");
  std::string db = Env("POCKET_DB", "pocket.db");
  std::string web_dir = Env("POCKET_WEB_DIR", POCKET_DEFAULT_WEB_DIR);
  std::string jwks_url = Env("POCKET_JWKS_URL");
  std::string introspection_client_id = Env("POCKET_INTROSPECTION_CLIENT_ID");
  std::string introspection_secret = Env("POCKET_INTROSPECTION_CLIENT_SECRET");
  std::string introspection_secret_file = Env("POCKET_INTROSPECTION_SECRET_FILE");
  std::string introspection_url = Env("POCKET_INTROSPECTION_URL");
  std::vector<std::string> accepted;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage("the Pocket blog's API and front end");
      return 0;
    }
    if (i + 1 >= argc) return Usage("missing value for " + arg);
    std::string value = argv[++i];
    if (arg == "--issuer") issuer = value;
    else if (arg == "--client-id") client_id = value;
    else if (arg == "--accept-client-id") accepted.push_back(value);
    else if (arg == "--listen") listen = value;
    else if (arg == "--db") db = value;
    else if (arg == "--web-dir") web_dir = value;
    else if (arg == "--jwks-url") jwks_url = value;
    else if (arg == "--threads") threads = std::atoi(value.c_str());
    else if (arg == "--introspection-client-id") introspection_client_id = value;
    else if (arg == "--introspection-secret-file") introspection_secret_file = value;
    else if (arg == "--introspection-url") introspection_url = value;
    else return Usage("unknown option " + arg);
  }
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  if (issuer.empty()) return Usage("--issuer is required (e.g. http://127.0.0.1:8080/apps/pocket)");
  if (client_id.empty()) return Usage("--client-id is required (the front end's public client)");
  if (threads < 1 || threads > 64) return Usage("--threads is 1-64");
  if (!introspection_secret_file.empty()) {
    auto secret = ReadSecretFile(introspection_secret_file);
    if (!secret) return Usage("cannot read --introspection-secret-file " + introspection_secret_file);
    introspection_secret = *secret;
  }
  if (introspection_client_id.empty() != introspection_secret.empty()) {
    return Usage("introspection needs both a client id and its secret (--introspection-client-id, "
                 "--introspection-secret-file or POCKET_INTROSPECTION_CLIENT_SECRET)");
  }
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Usage("--listen is HOST:PORT");

  pocket::ServerOptions server;
  server.host = listen.substr(0, colon);
  if (server.host.size() > 2 && server.host.front() == '[') server.host = server.host.substr(1, server.host.size() - 2);
  server.port = static_cast<unsigned short>(std::atoi(listen.substr(colon + 1).c_str()));
  server.threads = threads;

  try {
    // Tokens of this Tessera app only (iss), issued to the front end's client (or another
    // accepted one); keys from the app's JWKS, cached and refetched on a new kid.
    rs::JwksCacheOptions keys;
    keys.jwks_url = jwks_url.empty() ? rs::JwksCache::UrlForIssuer(issuer) : jwks_url;
    auto cache = std::make_shared<rs::JwksCache>(keys);
    std::string error;
    if (!cache->Refresh(&error)) {
      std::cerr << "pocket_server: warning: " << error << " (will retry on the first request)\n";
    }
    rs::VerifierOptions verify;
    verify.issuer = issuer;
    verify.allowed_client_ids = accepted;
    verify.allowed_client_ids.push_back(client_id);
    auto verifier = std::make_shared<const rs::AccessTokenVerifier>(verify, cache);

    // Opaque tokens (API tokens, the old blog's imported keys) by introspection, when a
    // resource-server client is configured: only API tokens of this app's users, answers
    // cached 30 s (a revoked token may pass that long), refusals 5 s.
    std::shared_ptr<rs::TokenIntrospector> introspector;
    if (!introspection_client_id.empty()) {
      rs::IntrospectorOptions o;
      o.issuer = issuer;
      o.introspection_url = introspection_url;
      o.client_id = introspection_client_id;
      o.client_secret = introspection_secret;
      o.allowed_token_types = {"api_token"};
      introspector = std::make_shared<rs::TokenIntrospector>(o);
    }

    pocket::Store store(db);
    pocket::ApiOptions api;
    api.issuer = issuer;
    api.client_id = client_id;
    api.web_dir = web_dir;
    pocket::PocketApi pocket_api(api, store, verifier, introspector);

    pocket::RunHttpServer(
        server,
        [&pocket_api](const pocket::Request& req, const std::string& ip) { return pocket_api.Handle(req, ip); },
        [&](unsigned short port) {
          std::string host = server.host.find(':') != std::string::npos ? "[" + server.host + "]" : server.host;
          std::cout << "pocket_server: listening on http://" << host << ":" << port << "/ (issuer "
                    << issuer << ", database " << db
                    << (introspector ? ", API tokens by introspection" : "") << ")" << std::endl;
        });
  } catch (const std::exception& e) {
    std::cerr << "pocket_server: " << e.what() << "\n";
    return 1;
  }
  std::cout << "pocket_server: stopped" << std::endl;
  return 0;
}
