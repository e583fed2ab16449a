// Test support: run the built programs (EVIDENCE_BIN_DIR) without a shell and
// capture their output; temporary directories removed at scope exit.
// Thread-compatible; for tests only.
#pragma once

#include <string>
#include <vector>

namespace evidence::testing {

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal or could not start
  std::string out;
  std::string err;
};

// Runs `program args...` (program is a path) with stdout and stderr captured.
RunResult Run(const std::string& program, const std::vector<std::string>& args);

// Runs the `evidence` CLI from the build's bin directory.
RunResult RunEvidence(const std::vector<std::string>& args);

// Path of a program in the build's bin directory.
std::string BinaryPath(const std::string& name);

// A fresh directory under $TMPDIR (or /tmp), deleted with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

}  // namespace evidence::testing
