// Test support: a real `evidence-node --dev` process on 127.0.0.1 (its API on a
// port the kernel picks, read from what it prints), stopped with SIGTERM when the
// DevNode goes; and one raw HTTP/1.1 exchange without any client library, so
// tests can post exactly the bytes a curl user would. For tests only;
// thread-compatible.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace evidence::testing {

struct RawAnswer {
  int status = 0;  // 0: no answer
  std::string body;
};

// One exchange on a fresh connection to 127.0.0.1:port (60 s receive timeout).
RawAnswer RawHttp(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& authorization = "");

// A port nothing listens on (bound, then released).
uint16_t ClosedPort();

// `evidence-node --dev --data DIR/chain --api 127.0.0.1:0 [extra...]`, stopped by
// SIGTERM (and waited for) on destruction.
class DevNode {
 public:
  explicit DevNode(const std::string& dir, const std::vector<std::string>& extra = {});
  ~DevNode();
  DevNode(const DevNode&) = delete;
  DevNode& operator=(const DevNode&) = delete;

  // Reads the "API: http://127.0.0.1:PORT" line, then polls /readyz, both within
  // a deadline. Returns "" when ready, else what went wrong.
  std::string WaitReady();

  std::string Log() const;
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string genesis() const { return dir_ + "/chain/genesis.json"; }
  std::string reader_token_file() const { return dir_ + "/chain/reader-token"; }
  std::string agency_key() const { return dir_ + "/chain/agency.pem"; }
  std::string agency() const { return "dev-agency"; }
  // The admin key of a dev chain made with --past-window-days other than 7 (a
  // version-2 genesis, governance threshold 1).
  std::string admin_key() const { return dir_ + "/chain/admin.pem"; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace evidence::testing
