#include "node/backup_server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <istream>

#include "common/thread.h"
#include "ledger/backup.h"

namespace evidence::node {
namespace {

namespace asio = boost::asio;
using Local = asio::local::stream_protocol;

constexpr size_t kRequestBytesMax = 64;
constexpr int kRequestTimeoutS = 10;
constexpr int kSendTimeoutS = 60;

void SetTimeout(Local::socket& socket, int option, int seconds) {
  timeval timeout{seconds, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, option, &timeout, sizeof timeout);
}

}  // namespace

struct BackupServer::Impl {
  Impl(std::string path, const ledger::Store& store)
      : path(std::move(path)), store(store), acceptor(io) {}

  void Accept() {
    acceptor.async_accept([this](const boost::system::error_code& error, Local::socket socket) {
      if (error || stopping) return;
      Serve(socket);  // one at a time: the next accept waits for this one
      Accept();
    });
  }

  // Blocking, on the server's thread: the socket's timeouts bound every call.
  void Serve(Local::socket& socket) {
    SetTimeout(socket, SO_RCVTIMEO, kRequestTimeoutS);
    SetTimeout(socket, SO_SNDTIMEO, kSendTimeoutS);
    asio::streambuf request(kRequestBytesMax);
    boost::system::error_code error;
    asio::read_until(socket, request, '\n', error);
    std::istream lines(&request);
    std::string line;
    std::getline(lines, line);
    if (error || line != kBackupRequest) {
      std::string answer = "ERROR expected \"" + std::string(kBackupRequest) + "\"\n";
      asio::write(socket, asio::buffer(answer), error);
      return;
    }
    uint64_t bytes = 0;
    auto manifest = ledger::WriteBackup(
        store,
        [&](ByteView chunk) {
          boost::system::error_code write_error;
          asio::write(socket, asio::buffer(chunk.data(), chunk.size()), write_error);
          if (write_error) return Status::IoError("the client went away: " + write_error.message());
          bytes += chunk.size();
          return Status::Ok();
        },
        &stopping);
    if (manifest.ok()) {
      spdlog::info("event=backup_served height={} tree_size={} entries={} bytes={}",
                   manifest->head.height, manifest->head.size, manifest->entries, bytes);
    } else {
      spdlog::warn("event=backup_failed bytes={} reason=\"{}\"", bytes, manifest.status().message());
    }
  }

  const std::string path;
  const ledger::Store& store;
  asio::io_context io;
  Local::acceptor acceptor;
  std::thread thread;
  std::atomic<bool> stopping{false};
};

BackupServer::BackupServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BackupServer::~BackupServer() { Stop(); }

Result<std::unique_ptr<BackupServer>> BackupServer::Start(const std::string& socket_path,
                                                          const ledger::Store& store) {
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    return Status::InvalidArgument("the backup socket path " + socket_path + " is longer than " +
                                   std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
  }
  auto impl = std::make_unique<Impl>(socket_path, store);
  std::error_code removed;
  // Left by a node that was killed: the store's lock, held by this process
  // now, says no other node uses this data directory.
  if (std::filesystem::is_socket(socket_path, removed)) std::filesystem::remove(socket_path, removed);
  boost::system::error_code error;
  impl->acceptor.open(Local(), error);
  if (!error) impl->acceptor.bind(Local::endpoint(socket_path), error);
  if (!error) ::chmod(socket_path.c_str(), 0600);
  if (!error) impl->acceptor.listen(4, error);
  if (error) {
    return Status::IoError("cannot listen on " + socket_path + ": " + error.message());
  }
  impl->Accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    NameCurrentThread("backup");
    raw->io.run();
  });
  return std::unique_ptr<BackupServer>(new BackupServer(std::move(impl)));
}

void BackupServer::Stop() {
  if (impl_->stopping.exchange(true)) return;
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  std::error_code removed;
  std::filesystem::remove(impl_->path, removed);
}

}  // namespace evidence::node
