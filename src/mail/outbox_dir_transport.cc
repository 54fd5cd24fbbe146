#include "mail/outbox_dir_transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "base/time_format.h"
#include "base/log.h"
#include "mail/mime_message.h"

namespace tessera::mail {
namespace {

// 20250615T150640Z: sorts like the time it names.
std::string CompactUtc(UnixMillis t) { return FormatUtc(t, kCompactUtc); }

// Only [A-Za-z0-9-] of the id reaches the file name.
std::string SafeName(std::string_view id) {
  std::string out;
  for (char c : id) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') out += c;
  }
  return out.empty() ? "mail" : out;
}

Status WriteFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot create " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string err = std::strerror(errno);
      ::close(fd);
      return UnavailableError("cannot write " + path + ": " + err);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return UnavailableError("cannot write " + path + ": " + std::strerror(errno));
  return OkStatus();
}

}  // namespace

std::vector<std::string> ExtractLinks(std::string_view text) {
  std::vector<std::string> links;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t http = text.find("http", pos);
    if (http == std::string_view::npos) break;
    std::string_view rest = text.substr(http);
    size_t scheme = rest.starts_with("https://") ? 8 : rest.starts_with("http://") ? 7 : 0;
    if (scheme == 0) {
      pos = http + 4;
      continue;
    }
    size_t end = scheme;
    while (end < rest.size()) {
      unsigned char c = static_cast<unsigned char>(rest[end]);
      if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\'') break;
      ++end;
    }
    while (end > scheme && std::strchr(".,;:!?)]", rest[end - 1])) --end;
    if (end > scheme) links.emplace_back(rest.substr(0, end));
    pos = http + std::max<size_t>(end, 1);
  }
  return links;
}

std::vector<std::string> ExtractCodes(std::string_view text) {
  std::vector<std::string> codes;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
    if (line.size() < 4 || line.size() > 10) continue;
    if (std::all_of(line.begin(), line.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      codes.emplace_back(line);
    }
  }
  return codes;
}

Status OutboxDirTransport::Send(const store::OutgoingMail& mail, std::string_view from) {
  TESSERA_ASSIGN_OR_RETURN(std::string message, BuildMimeMessage(mail, from));
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return UnavailableError("cannot create " + dir_ + ": " + ec.message());
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  const std::string name = CompactUtc(mail.created_at) + "-" + SafeName(mail.id) + ".eml";
  const std::string path = (std::filesystem::path(dir_) / name).string();
  // Written beside and renamed, so a reader never sees half a message.
  const std::string tmp = path + ".tmp";
  TESSERA_RETURN_IF_ERROR(WriteFile(tmp, message));
  std::filesystem::rename(tmp, path, ec);
  if (ec) return UnavailableError("cannot rename " + tmp + ": " + ec.message());

  boost::json::array links;
  for (auto& l : ExtractLinks(mail.text_body)) links.emplace_back(std::move(l));
  boost::json::object fields{{"id", mail.id},           {"kind", mail.kind},
                             {"to", mail.to_address},   {"subject", mail.subject},
                             {"path", path},            {"links", std::move(links)}};
  // A one-time code stands alone on its line: shown too, so the code flow works locally.
  boost::json::array codes;
  for (auto& c : ExtractCodes(mail.text_body)) codes.emplace_back(std::move(c));
  if (!codes.empty()) fields["codes"] = std::move(codes);
  LogJson(spdlog::level::info, "mail_written_to_outbox", std::move(fields));
  return OkStatus();
}

}  // namespace tessera::mail
