// File: log_stream_sink.h
// The sink the async logger writes stdout (or stderr) through. spdlog's own stream sink
// flushes after every line: one write(2) per request logged, which on a busy server cost
// more than some requests themselves. This one flushes when the logger's queue has drained:
// idle, every line still leaves at once; under load, the lines queued meanwhile leave
// together in one write. Lines are never held back while nothing follows them.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>

#include <spdlog/async_logger.h>  // declares what details/thread_pool.h needs
#include <spdlog/details/thread_pool.h>
#include <spdlog/sinks/base_sink.h>

namespace tessera {

class LogStreamSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // `pool` is the async logger's thread pool, whose queue tells when to flush. The sink
  // only runs on that pool's one thread, so the pool outlives every call. It is not owned
  // here: a sink owning its pool closes a cycle (pool -> queued line -> logger -> sink ->
  // pool), and when the pool's thread drops the last line at shutdown it would destroy its
  // own pool, join itself and abort the process.
  LogStreamSink(std::FILE* file, spdlog::details::thread_pool* pool)
      : file_(file), pool_(pool) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override { std::fflush(file_); }

 private:
  std::FILE* file_;
  spdlog::details::thread_pool* pool_;
};

}  // namespace tessera
