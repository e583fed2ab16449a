// The node's log lines (docs/operations.md, "Logs"). Every call site logs one
// event as `event=<name> key=value key="text with spaces" ...`; this module
// turns that into one line per event:
//
//   text: 2026-11-24T16:22:41.710+08:00 level=info event=block_committed height=1 ...
//   json: {"time":"2026-11-24T16:22:41.710+08:00","level":"info",
//          "event":"block_committed","height":1,...}
//
// In JSON each key becomes a member: digits-only values (at most 15 digits)
// become numbers, everything else a string; words of the message that are not
// key=value go to "message". Lines go to standard error or to a file that
// Reopen() opens again (after logrotate moved it; the node calls it on SIGHUP).
//
// Thread-safety: LogFieldsToJson is pure. SetUpLogging from the main thread
// before other threads log; Reopen from any thread (the sink's own mutex).
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace evidence::node {

// The fields of one message, in order ("event" first when present).
boost::json::object LogFieldsToJson(std::string_view message);

class LogOutput {
 public:
  // Installs the default logger: JSON lines or text, to `file` (appended to;
  // created 0640, its directory must exist) or to standard error when `file` is empty.
  static Result<std::unique_ptr<LogOutput>> SetUp(bool json, const std::string& file);
  ~LogOutput();
  // Closes and opens the file again by its name (no-op on standard error).
  void Reopen();

 private:
  struct Impl;
  explicit LogOutput(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace evidence::node
