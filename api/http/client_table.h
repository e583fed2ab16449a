// ClientTable: what each HTTP client (remote address) holds of the server —
// open connections and request-body bytes received but not yet handled — and
// the server's total, against the limits of ServerOptions (server.h). One
// client cannot take every connection nor pin the memory of many bodies
// (issue 17, finding 5).
//
// An entry lives while its client has a connection, so the table holds at most
// as many entries as there are open connections.
//
// Thread-safety: every method may be called from any thread.
// Invariants: counts never go below zero; a client's body bytes are released
// before its last connection closes; totals equal the sums over clients.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "common/mutex.h"

namespace evidence::api {

class ClientTable {
 public:
  enum class Admission { kAdmitted, kServerFull, kClientFull };

  ClientTable(size_t connections_max, size_t connections_per_client_max,
              size_t client_body_bytes_max, size_t body_bytes_max);

  // Admits a new connection of `client` (counted until Close) or says why not
  // (then nothing is counted: a refused connection only gets its 429 and is
  // closed, it holds no slot).
  Admission Open(const std::string& client) EVIDENCE_EXCLUDES(mutex_);
  // An admitted connection is gone; `body_bytes` it still held are released.
  void Close(const std::string& client, size_t body_bytes) EVIDENCE_EXCLUDES(mutex_);
  // Reserves `bytes` of body for `client`; false (nothing reserved) when the
  // client's or the server's budget would be exceeded.
  bool ReserveBody(const std::string& client, size_t bytes) EVIDENCE_EXCLUDES(mutex_);
  void ReleaseBody(const std::string& client, size_t bytes) EVIDENCE_EXCLUDES(mutex_);

  size_t connections() const EVIDENCE_EXCLUDES(mutex_);
  size_t body_bytes() const EVIDENCE_EXCLUDES(mutex_);
  size_t clients() const EVIDENCE_EXCLUDES(mutex_);

 private:
  struct Usage {
    size_t connections = 0;
    size_t body_bytes = 0;
  };
  void ReleaseLocked(Usage& usage, size_t bytes) EVIDENCE_REQUIRES(mutex_);

  const size_t connections_max_;
  const size_t connections_per_client_max_;
  const size_t client_body_bytes_max_;
  const size_t body_bytes_max_;
  mutable Mutex mutex_;
  std::unordered_map<std::string, Usage> clients_ EVIDENCE_GUARDED_BY(mutex_);
  size_t connections_ EVIDENCE_GUARDED_BY(mutex_) = 0;
  size_t body_bytes_ EVIDENCE_GUARDED_BY(mutex_) = 0;
};

}  // namespace evidence::api
