#include "tokens/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/random.h"

namespace tessera::services {
namespace {

Result<std::string> Decode(std::string text, const std::string& where) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  auto bytes = crypto::Base64Decode(text);
  if (!bytes || bytes->size() != crypto::kAeadKeySize) {
    return InvalidArgumentError(where + ": the master key must be base64 of exactly 32 bytes");
  }
  return *bytes;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// O_EXCL: two processes starting together never overwrite each other's key.
Status CreateKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return errno == EEXIST ? OkStatus() : UnavailableError("cannot create " + path);
  std::string text = crypto::Base64Encode(crypto::RandomBytes(crypto::kAeadKeySize)) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  return ok ? OkStatus() : UnavailableError("cannot write " + path);
}

}  // namespace

Result<MasterKey> LoadMasterKey(const MasterKeySource& source) {
  if (!source.env_value.empty()) {
    TESSERA_ASSIGN_OR_RETURN(std::string bytes, Decode(source.env_value, "TESSERA_MASTER_KEY"));
    return MasterKey{bytes, "env"};
  }
  if (!source.key_file.empty()) {
    TESSERA_ASSIGN_OR_RETURN(std::string text, ReadFile(source.key_file));
    TESSERA_ASSIGN_OR_RETURN(std::string bytes, Decode(text, source.key_file));
    return MasterKey{bytes, source.key_file};
  }
  std::string path = (std::filesystem::path(source.data_dir) / "master.key").string();
  bool existed = std::filesystem::exists(path);
  if (!existed) TESSERA_RETURN_IF_ERROR(CreateKeyFile(path));
  TESSERA_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  TESSERA_ASSIGN_OR_RETURN(std::string bytes, Decode(text, path));
  return MasterKey{bytes, existed ? path : "generated:" + path};
}

}  // namespace tessera::services
