// File: master_key.h
// The 256-bit master key that seals signing keys at rest. Taken, in order, from the
// TESSERA_MASTER_KEY environment variable (base64 of 32 bytes), from `key_file` when set, or
// from DATA_DIR/master.key — created with mode 0600 on a first local run, with a warning
// that production should provide the key from a secret store.
#pragma once

#include <string>

#include "base/result.h"

namespace tessera::services {

struct MasterKeySource {
  std::string env_value;  // TESSERA_MASTER_KEY
  std::string key_file;   // --master-key-file
  std::string data_dir;   // fallback: DATA_DIR/master.key
};

struct MasterKey {
  std::string bytes;   // 32 raw bytes
  std::string origin;  // "env", the file path, or "generated:<path>"
};

Result<MasterKey> LoadMasterKey(const MasterKeySource& source);

}  // namespace tessera::services
