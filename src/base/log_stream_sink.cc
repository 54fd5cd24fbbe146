#include "base/log_stream_sink.h"

namespace tessera {

void LogStreamSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  std::fwrite(line.data(), 1, line.size(), file_);
  // The pool's one thread calls this after taking `msg` off the queue: empty means no line
  // is waiting behind this one.
  if (pool_->queue_size() == 0) std::fflush(file_);
}

}  // namespace tessera
