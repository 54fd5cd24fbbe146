#include "mail/smtp_transport.h"

#include <curl/curl.h>

#include <cstring>
#include <mutex>

#include "mail/mime_message.h"

namespace tessera::mail {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Feeds the message to libcurl's upload.
struct Upload {
  std::string_view data;
  size_t pos = 0;
};

size_t ReadMessage(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* up = static_cast<Upload*>(userdata);
  size_t n = std::min(size * nitems, up->data.size() - up->pos);
  std::memcpy(buffer, up->data.data() + up->pos, n);
  up->pos += n;
  return n;
}

int Progress(void* clientp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(clientp)->load() ? 1 : 0;  // non-zero aborts
}

// Failures worth another attempt soon; the rest are refusals (still retried, with backoff).
bool Retryable(CURLcode rc, long response) {
  if (response >= 400 && response < 500) return true;  // 4xx: transient by definition
  if (response >= 500) return false;
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
      return true;
    default:
      return false;
  }
}

std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos ||
      (slash != std::string::npos && slash < at)) {
    return url;
  }
  return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

std::optional<StartTls> ParseStartTls(std::string_view text) {
  if (text == "auto") return StartTls::kAuto;
  if (text == "always") return StartTls::kAlways;
  if (text == "never") return StartTls::kNever;
  return std::nullopt;
}

Result<std::unique_ptr<SmtpTransport>> SmtpTransport::Create(SmtpOptions options) {
  const std::string& url = options.url;
  size_t host_start = 0;
  if (url.starts_with("smtp://")) {
    host_start = 7;
  } else if (url.starts_with("smtps://")) {
    host_start = 8;
  } else {
    return InvalidArgumentError("--smtp-url must start with smtp:// or smtps://");
  }
  if (url.size() <= host_start || url[host_start] == '/' || url[host_start] == ':') {
    return InvalidArgumentError("--smtp-url needs a host: smtp://host:port");
  }
  if (url.find_first_of(std::string_view("\r\n\0 ", 4)) != std::string::npos) {
    return InvalidArgumentError("--smtp-url must not contain spaces or line breaks");
  }
  GlobalInit();
  return std::unique_ptr<SmtpTransport>(new SmtpTransport(std::move(options)));
}

SmtpTransport::SmtpTransport(SmtpOptions options)
    : options_(std::move(options)), redacted_url_(RedactUrl(options_.url)) {}

Status SmtpTransport::Send(const store::OutgoingMail& mail, std::string_view from) {
  if (cancelled_) return UnavailableError("smtp: shutting down");
  TESSERA_ASSIGN_OR_RETURN(Mailbox sender, ParseMailbox(from));
  TESSERA_ASSIGN_OR_RETURN(Mailbox recipient, ParseMailbox(mail.to_address));
  TESSERA_ASSIGN_OR_RETURN(std::string message, BuildMimeMessage(mail, from));

  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return UnavailableError("smtp: cannot create a libcurl handle");
  std::unique_ptr<curl_slist, SlistDeleter> rcpt(
      curl_slist_append(nullptr, ("<" + recipient.address + ">").c_str()));
  if (!rcpt) return UnavailableError("smtp: out of memory");
  const std::string mail_from = "<" + sender.address + ">";
  Upload upload{message};
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // many threads; no SIGALRM for timeouts
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  switch (options_.starttls) {
    case StartTls::kAuto:
      curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
      break;
    case StartTls::kAlways:
      curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
      break;
    case StartTls::kNever:
      curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE));
      break;
  }
  if (!options_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadMessage);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &Progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &cancelled_);

  CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) return OkStatus();
  long response = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response);
  std::string error = "smtp: " + std::string(curl_easy_strerror(rc));
  if (errbuf[0] != '\0') error += ": " + std::string(errbuf);
  if (response != 0) error += " (server said " + std::to_string(response) + ")";
  if (Retryable(rc, response)) return UnavailableError(error);
  return FailedPreconditionError(error);
}

}  // namespace tessera::mail
