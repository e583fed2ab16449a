#include "tests/testing/dev_node.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tests/testing/process.h"

extern char** environ;

namespace evidence::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartDeadline = std::chrono::seconds(60);

}  // namespace

RawAnswer RawHttp(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body, const std::string& authorization) {
  RawAnswer answer;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return answer;
  timeval timeout{60, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return answer;
  }
  std::string request = method + " " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                        (authorization.empty() ? "" : "Authorization: " + authorization + "\r\n") +
                        "Content-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string text;
  char buffer[8192];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
    text.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  if (text.size() > 12 && text.starts_with("HTTP/1.1 "))
    answer.status = std::stoi(text.substr(9, 3));
  size_t head_end = text.find("\r\n\r\n");
  if (head_end != std::string::npos) answer.body = text.substr(head_end + 4);
  return answer;
}

uint16_t ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

DevNode::DevNode(const std::string& dir, const std::vector<std::string>& extra) : dir_(dir) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return;
  stdout_fd_ = pipe_fds[0];
  int log_fd = ::open((dir + "/node.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
  std::string program = BinaryPath("evidence-node");
  std::vector<std::string> storage = {program, "--dev", "--data", dir + "/chain", "--api",
                                      "127.0.0.1:0"};
  storage.insert(storage.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (std::string& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  if (::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  ::close(log_fd);
}

DevNode::~DevNode() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::string DevNode::WaitReady() {
  if (pid_ <= 0) return "evidence-node did not start";
  const auto deadline = Clock::now() + kStartDeadline;
  std::string printed;
  while (port_ == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) <= 0) {
      return "no API line from evidence-node: " + printed + Log();
    }
    char buffer[4096];
    ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) return "evidence-node exited: " + printed + Log();
    printed.append(buffer, static_cast<size_t>(n));
    size_t at = printed.find("API: http://127.0.0.1:");
    size_t end = at == std::string::npos ? at : printed.find('\n', at);
    if (end != std::string::npos) port_ = static_cast<uint16_t>(std::stoi(printed.substr(at + 22)));
  }
  for (auto pause = std::chrono::milliseconds(10); RawHttp(port_, "GET", "/readyz").status != 200;
       pause = std::min(pause * 2, std::chrono::milliseconds(200))) {
    if (Clock::now() >= deadline) return "evidence-node not ready in time" + Log();
    std::this_thread::sleep_for(pause);  // between polls of /readyz, bounded by the deadline
  }
  return "";
}

std::string DevNode::Log() const { return "\n--- node log ---\n" + ReadFile(dir_ + "/node.log"); }

}  // namespace evidence::testing
