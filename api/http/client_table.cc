#include "api/http/client_table.h"

#include "common/check.h"

namespace evidence::api {

ClientTable::ClientTable(size_t connections_max, size_t connections_per_client_max,
                         size_t client_body_bytes_max, size_t body_bytes_max)
    : connections_max_(connections_max),
      connections_per_client_max_(connections_per_client_max),
      client_body_bytes_max_(client_body_bytes_max),
      body_bytes_max_(body_bytes_max) {
  EVIDENCE_CHECK(connections_max_ >= 1 && connections_per_client_max_ >= 1);
  EVIDENCE_CHECK(client_body_bytes_max_ <= body_bytes_max_);
}

ClientTable::Admission ClientTable::Open(const std::string& client) {
  MutexLock lock(&mutex_);
  if (connections_ >= connections_max_) return Admission::kServerFull;
  auto it = clients_.find(client);
  if (it != clients_.end() && it->second.connections >= connections_per_client_max_) {
    return Admission::kClientFull;
  }
  if (it == clients_.end()) it = clients_.emplace(client, Usage{}).first;
  ++it->second.connections;
  ++connections_;
  return Admission::kAdmitted;
}

void ClientTable::Close(const std::string& client, size_t body_bytes) {
  MutexLock lock(&mutex_);
  auto it = clients_.find(client);
  EVIDENCE_CHECK(it != clients_.end() && it->second.connections > 0 && connections_ > 0);
  ReleaseLocked(it->second, body_bytes);
  --it->second.connections;
  --connections_;
  if (it->second.connections == 0) {
    EVIDENCE_CHECK(it->second.body_bytes == 0);
    clients_.erase(it);
  }
}

bool ClientTable::ReserveBody(const std::string& client, size_t bytes) {
  MutexLock lock(&mutex_);
  auto it = clients_.find(client);
  EVIDENCE_CHECK(it != clients_.end());
  Usage& usage = it->second;
  if (usage.body_bytes + bytes > client_body_bytes_max_ || body_bytes_ + bytes > body_bytes_max_) {
    return false;
  }
  usage.body_bytes += bytes;
  body_bytes_ += bytes;
  return true;
}

void ClientTable::ReleaseBody(const std::string& client, size_t bytes) {
  MutexLock lock(&mutex_);
  auto it = clients_.find(client);
  EVIDENCE_CHECK(it != clients_.end());
  ReleaseLocked(it->second, bytes);
}

void ClientTable::ReleaseLocked(Usage& usage, size_t bytes) {
  EVIDENCE_CHECK(usage.body_bytes >= bytes && body_bytes_ >= bytes);
  usage.body_bytes -= bytes;
  body_bytes_ -= bytes;
}

size_t ClientTable::connections() const {
  MutexLock lock(&mutex_);
  return connections_;
}

size_t ClientTable::body_bytes() const {
  MutexLock lock(&mutex_);
  return body_bytes_;
}

size_t ClientTable::clients() const {
  MutexLock lock(&mutex_);
  return clients_.size();
}

}  // namespace evidence::api
