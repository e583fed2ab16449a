#include "node/logging.h"

#include <spdlog/details/file_helper.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <mutex>

namespace evidence::node {
namespace {

namespace json = boost::json;

bool IsKeyStart(std::string_view text, size_t at) {
  size_t end = at;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                               text[end] == '_')) {
    ++end;
  }
  return end > at && end < text.size() && text[end] == '=';
}

// The end of a quoted value starting after the opening quote at `from`: the
// first quote followed by the end of the message or by " key=". Quotes inside
// a reason are written unescaped by the call sites, so a quote that does not
// end the value belongs to it.
size_t QuotedValueEnd(std::string_view text, size_t from) {
  for (size_t at = text.find('"', from); at != std::string_view::npos;
       at = text.find('"', at + 1)) {
    if (at + 1 == text.size() || (text[at + 1] == ' ' && IsKeyStart(text, at + 2))) return at;
  }
  return std::string_view::npos;
}

json::value FieldValue(std::string_view value) {
  bool digits = !value.empty() && value.size() <= 15 &&
                value.find_first_not_of("0123456789") == std::string_view::npos &&
                (value.size() == 1 || value[0] != '0');
  if (digits) return json::value(static_cast<int64_t>(std::stoll(std::string(value))));
  return json::value(json::string(value));
}

// One JSON object per log line; Boost.JSON escapes.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override {
    spdlog::memory_buf_t time;
    time_formatter_.format(message, time);
    json::object line;
    line["time"] = std::string_view(time.data(), time.size());
    auto level = spdlog::level::to_string_view(message.level);
    line["level"] = std::string_view(level.data(), level.size());
    for (auto& field : LogFieldsToJson(std::string_view(message.payload.data(),
                                                        message.payload.size()))) {
      line[field.key()] = std::move(field.value());
    }
    std::string text = json::serialize(line);
    out.append(text.data(), text.data() + text.size());
    out.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }

 private:
  // Only the time: "%Y-%m-%dT%H:%M:%S.%e%z" with no end of line.
  spdlog::pattern_formatter time_formatter_{"%Y-%m-%dT%H:%M:%S.%e%z",
                                            spdlog::pattern_time_type::local, ""};
};

// A file sink whose file can be opened again by name (logrotate's move, then
// SIGHUP): spdlog's basic_file_sink keeps its file_helper private.
class ReopenableFileSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(const std::string& path) : path_(path) {
    if (!CreateQuietly()) throw spdlog::spdlog_ex("cannot create " + path, errno);
    file_.open(path, false);
  }
  // False when the file cannot be opened again; lines then go to standard
  // error until a later Reopen succeeds.
  bool Reopen() {
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      open_ = CreateQuietly();
      if (open_) file_.reopen(false);
    } catch (const spdlog::spdlog_ex&) {
      open_ = false;
    }
    return open_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    if (open_) {
      file_.write(formatted);
    } else {
      std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    }
  }
  void flush_() override {
    if (open_) file_.flush();
  }

 private:
  // Makes the file (0640: logs name agencies and cases) if it is missing; its
  // directory must exist (spdlog would create directories, we do not).
  bool CreateQuietly() const {
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }

  const std::string path_;
  spdlog::details::file_helper file_;
  bool open_ = true;
};

}  // namespace

json::object LogFieldsToJson(std::string_view text) {
  json::object fields;
  std::string rest;
  size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && text[at] == ' ') ++at;
    if (at >= text.size()) break;
    size_t word_end = text.find(' ', at);
    if (word_end == std::string_view::npos) word_end = text.size();
    if (!IsKeyStart(text, at)) {
      rest += (rest.empty() ? "" : " ") + std::string(text.substr(at, word_end - at));
      at = word_end;
      continue;
    }
    size_t equals = text.find('=', at);
    std::string key(text.substr(at, equals - at));
    size_t value_start = equals + 1;
    size_t value_end = word_end;
    size_t next = word_end;
    if (value_start < text.size() && text[value_start] == '"') {
      size_t close = QuotedValueEnd(text, value_start + 1);
      if (close != std::string_view::npos) {
        fields[key] = json::string(text.substr(value_start + 1, close - value_start - 1));
        at = close + 1;
        continue;
      }
    }
    fields[key] = FieldValue(text.substr(value_start, value_end - value_start));
    at = next;
  }
  if (!rest.empty()) fields["message"] = rest;
  return fields;
}

struct LogOutput::Impl {
  std::shared_ptr<ReopenableFileSink> file_sink;
};

LogOutput::LogOutput(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LogOutput::~LogOutput() = default;

Result<std::unique_ptr<LogOutput>> LogOutput::SetUp(bool json, const std::string& file) {
  auto impl = std::make_unique<Impl>();
  spdlog::sink_ptr sink;
  if (file.empty()) {
    // Logs go to standard error; standard output is for what --dev prints to people.
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      impl->file_sink = std::make_shared<ReopenableFileSink>(file);
    } catch (const spdlog::spdlog_ex& error) {
      return Status::IoError("cannot open the log file " + file + ": " + error.what());
    }
    sink = impl->file_sink;
  }
  auto logger = std::make_shared<spdlog::logger>("evidence-node", sink);
  if (json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(
        std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v"));
  }
  // Warnings and errors reach the disk at once; info lines at least every second.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
  return std::unique_ptr<LogOutput>(new LogOutput(std::move(impl)));
}

void LogOutput::Reopen() {
  if (!impl_->file_sink) return;
  spdlog::default_logger()->flush();
  if (impl_->file_sink->Reopen()) {
    spdlog::info("event=log_reopened");
  } else {
    spdlog::error("event=log_reopen_failed reason=\"the log file cannot be opened; logging to "
                  "standard error until the next SIGHUP\"");
  }
}

}  // namespace evidence::node
