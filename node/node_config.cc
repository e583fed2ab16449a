#include "node/node_config.h"

#include <toml++/toml.h>

#include "common/check.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

namespace evidence::node {
namespace {

namespace fs = std::filesystem;

class ConfigReader {
 public:
  ConfigReader(const toml::table& root, fs::path base) : root_(root), base_(std::move(base)) {}

  // The table `name` ([name]); an absent table reads as empty.
  Status Table(const std::string& name, const std::set<std::string>& keys,
               const std::function<Status(const toml::table&)>& read) {
    seen_tables_.insert(name);
    const toml::node* node = root_.get(name);
    where_ = name;
    if (node == nullptr) return read(empty_);
    const toml::table* table = node->as_table();
    if (table == nullptr) return Problem(name, "must be a table");
    for (const auto& [key, value] : *table) {
      if (!keys.contains(std::string(key.str()))) {
        Report(name + "." + std::string(key.str()), "is not a known setting");
      }
    }
    return read(*table);
  }

  void CheckNoOtherTables() {
    for (const auto& [key, value] : root_) {
      if (!seen_tables_.contains(std::string(key.str()))) {
        Report(std::string(key.str()), "is not a known table");
      }
    }
  }

  // Records a problem and carries on, so that one run reports every problem.
  void Report(const std::string& where, const std::string& what) {
    problems_.push_back("node.toml: " + where + " " + what);
  }
  Status Problem(const std::string& where, const std::string& what) {
    Report(where, what);
    return Status::Ok();
  }
  const std::vector<std::string>& problems() const { return problems_; }

  Status String(const toml::table& table, const char* key, std::string& out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return Status::Ok();
    const auto* value = node->as_string();
    if (value == nullptr) return Problem(where_ + "." + key, "must be a string");
    out = value->get();
    return Status::Ok();
  }

  Status Path(const toml::table& table, const char* key, std::string& out) {
    std::string text;
    EVIDENCE_RETURN_IF_ERROR(String(table, key, text));
    if (!text.empty()) out = (fs::path(text).is_absolute() ? fs::path(text) : base_ / text).string();
    return Status::Ok();
  }

  template <class T>
  Status Integer(const toml::table& table, const char* key, T& out, int64_t min, int64_t max) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return Status::Ok();
    const auto* value = node->as_integer();
    if (value == nullptr || value->get() < min || value->get() > max) {
      return Problem(where_ + "." + key,
                     "must be an integer " + std::to_string(min) + ".." + std::to_string(max));
    }
    out = static_cast<T>(value->get());
    return Status::Ok();
  }

  Status Boolean(const toml::table& table, const char* key, bool& out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return Status::Ok();
    const auto* value = node->as_boolean();
    if (value == nullptr) return Problem(where_ + "." + key, "must be true or false");
    out = value->get();
    return Status::Ok();
  }

  Status Strings(const toml::table& table, const char* key, std::vector<std::string>& out) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr) return Problem(where_ + "." + key, "must be an array of strings");
    for (const toml::node& element : *array) {
      const auto* text = element.as_string();
      if (text == nullptr) return Problem(where_ + "." + key, "must be an array of strings");
      out.push_back(text->get());
    }
    return Status::Ok();
  }

  // `peers = { <validator name> = "<what>" }` of the current table.
  Status Peers(const toml::table& table, std::map<std::string, std::string>& out,
               const std::string& what = "host:port") {
    const toml::node* node = table.get("peers");
    if (node == nullptr) return Status::Ok();
    const toml::table* peers = node->as_table();
    if (peers == nullptr) return Problem(where_ + ".peers", "must be a table of name = \"" + what + "\"");
    for (const auto& [name, value] : *peers) {
      const auto* address = value.as_string();
      if (address == nullptr) {
        Report(where_ + ".peers." + std::string(name.str()), "must be a string \"" + what + "\"");
        continue;
      }
      out[std::string(name.str())] = address->get();
    }
    return Status::Ok();
  }


 private:
  std::vector<std::string> problems_;
  const toml::table& root_;
  const toml::table empty_;
  fs::path base_;
  std::string where_;
  std::set<std::string> seen_tables_;
};

constexpr int64_t kMsMax = 24LL * 3600 * 1000;

Status ReadTables(ConfigReader& r, NodeOptions& o) {
  EVIDENCE_RETURN_IF_ERROR(r.Table("node", {"name", "genesis", "data_dir", "vote_key",
                                           "next_vote_key", "node_key"},
                                   [&](const toml::table& t) -> Status {
    std::string name;
    EVIDENCE_RETURN_IF_ERROR(r.String(t, "name", name));
    EVIDENCE_RETURN_IF_ERROR(r.Path(t, "genesis", o.genesis_path));
    EVIDENCE_RETURN_IF_ERROR(r.Path(t, "data_dir", o.data_dir));
    EVIDENCE_RETURN_IF_ERROR(r.Path(t, "vote_key", o.vote_key_path));
    EVIDENCE_RETURN_IF_ERROR(r.Path(t, "next_vote_key", o.next_vote_key_path));
    return r.Path(t, "node_key", o.node_key_path);
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("p2p", {"listen", "peers"}, [&](const toml::table& t) -> Status {
    EVIDENCE_RETURN_IF_ERROR(r.String(t, "listen", o.p2p_listen));
    return r.Peers(t, o.peer_addresses);
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("api", {"listen", "threads", "wait_timeout_ms",
                                           "agency_records_per_second", "agency_burst_records"},
                                   [&](const toml::table& t) -> Status {
    EVIDENCE_RETURN_IF_ERROR(r.String(t, "listen", o.api_listen));
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "threads", o.api_threads, 1, 64));
    EVIDENCE_RETURN_IF_ERROR(
        r.Integer(t, "agency_records_per_second", o.agency_records_per_second, 0, 10'000'000));
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "agency_burst_records", o.agency_burst_records,
                                       limits::kBatchRecordsMax, 100'000'000));
    return r.Integer(t, "wait_timeout_ms", o.wait_timeout_ms_default, 1, 120'000);
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("mempool", {"records_max", "bytes_max", "verify_threads"},
                                   [&](const toml::table& t) -> Status {
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "records_max", o.mempool_records_max, 1, 10'000'000));
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "bytes_max", o.mempool_bytes_max, 4096, 1LL << 36));
    return r.Integer(t, "verify_threads", o.verify_threads, 0, 256);
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("disk", {"reserve_bytes"}, [&](const toml::table& t) -> Status {
    return r.Integer(t, "reserve_bytes", o.disk_reserve_bytes, 0,
                     static_cast<int64_t>(limits::kDiskReserveBytesMax));
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("block", {"records_max", "bytes_max", "interval_ms"},
                                   [&](const toml::table& t) -> Status {
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "records_max", o.block_records_max, 1,
                                       limits::kBlockRecordsMax));
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "interval_ms", o.block_interval_ms, 0, 60'000));
    return r.Integer(t, "bytes_max", o.block_bytes_max, 4096, limits::kBlockBytesMax);
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("consensus",
                                   {"timeout_propose_ms", "timeout_propose_delta_ms",
                                    "timeout_vote_ms", "timeout_vote_delta_ms",
                                    "retransmit_interval_ms"},
                                   [&](const toml::table& t) -> Status {
    consensus::CoreConfig& c = o.consensus;
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "timeout_propose_ms", c.timeout_propose_ms, 1, kMsMax));
    EVIDENCE_RETURN_IF_ERROR(
        r.Integer(t, "timeout_propose_delta_ms", c.timeout_propose_delta_ms, 0, kMsMax));
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "timeout_vote_ms", c.timeout_vote_ms, 1, kMsMax));
    EVIDENCE_RETURN_IF_ERROR(r.Integer(t, "timeout_vote_delta_ms", c.timeout_vote_delta_ms, 0, kMsMax));
    return r.Integer(t, "retransmit_interval_ms", c.retransmit_interval_ms, 1, kMsMax);
  }));
  // The record time window decides whether a block is valid, so it is a chain
  // parameter now (genesis "params", changed by set-params): a node.toml that
  // still sets it is refused rather than silently ignored.
  EVIDENCE_RETURN_IF_ERROR(r.Table("records", {"future_skew_ms", "past_window_ms"},
                                   [&](const toml::table& t) -> Status {
    if (t.empty()) return Status::Ok();
    return r.Problem(
        "records", "is no longer a node setting: the record time window is the chain's "
                   "params.record_future_skew_ms and record_past_window_ms (genesis, changed by "
                   "`evidence gov propose set-params`); remove the [records] table");
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("timestamp", {"key", "cert", "peers"},
                                   [&](const toml::table& t) -> Status {
    EVIDENCE_RETURN_IF_ERROR(r.Path(t, "key", o.tsa_key_path));
    EVIDENCE_RETURN_IF_ERROR(r.Path(t, "cert", o.tsa_cert_path));
    return r.Peers(t, o.tsa_peer_urls, "http://host:port");
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("witness", {"keys"}, [&](const toml::table& t) -> Status {
    return r.Strings(t, "keys", o.witness_vkeys);
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("anchor", {"tsa_ca"}, [&](const toml::table& t) -> Status {
    return r.Path(t, "tsa_ca", o.anchor_tsa_ca_path);
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("supervision", {"rules", "calendar"},
                                   [&](const toml::table& t) -> Status {
    EVIDENCE_RETURN_IF_ERROR(r.Path(t, "rules", o.supervision_rules_path));
    return r.Path(t, "calendar", o.holiday_calendar_path);
  }));
  EVIDENCE_RETURN_IF_ERROR(r.Table("log", {"level", "json", "file"}, [&](const toml::table& t) -> Status {
    EVIDENCE_RETURN_IF_ERROR(r.String(t, "level", o.log_level));
    EVIDENCE_RETURN_IF_ERROR(r.Path(t, "file", o.log_file));
    return r.Boolean(t, "json", o.log_json);
  }));
  r.CheckNoOtherTables();
  return Status::Ok();
}

// The settings that depend on each other or are required.
void CheckTogether(ConfigReader& r, const NodeOptions& options) {
  if (options.genesis_path.empty()) r.Report("node.genesis", "is required");
  if (options.data_dir.empty()) r.Report("node.data_dir", "is required");
  if (options.node_key_path.empty()) r.Report("node.node_key", "is required");
  if (options.block_interval_ms >= options.consensus.timeout_propose_ms) {
    r.Report("block.interval_ms", "must be below consensus.timeout_propose_ms (" +
                                       std::to_string(options.consensus.timeout_propose_ms) + ")");
  }
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  if (!kLevels.contains(options.log_level)) {
    r.Report("log.level", "must be trace, debug, info, warn or error");
  }
  for (const auto& [what, address] :
       {std::pair<std::string, std::string>{"p2p.listen", options.p2p_listen},
        {"api.listen", options.api_listen}}) {
    if (!SplitHostPort(address).ok()) r.Report(what, "\"" + address + "\" is not host:port");
  }
  for (const auto& [name, address] : options.peer_addresses) {
    if (!SplitHostPort(address).ok()) {
      r.Report("p2p.peers." + name, "\"" + address + "\" is not host:port");
    }
  }
  if (options.tsa_key_path.empty() != options.tsa_cert_path.empty()) {
    r.Report("timestamp", "needs both key and cert (or neither)");
  }
  for (const auto& [name, url] : options.tsa_peer_urls) {
    const bool plain_url = url.starts_with("http://") && url.size() > 7 && url.size() <= 512 &&
                           url.find_first_of("?#\" \\") == std::string::npos && !url.ends_with("/");
    if (!plain_url) {
      r.Report("timestamp.peers." + name,
               "\"" + url + "\" is not a node URL (http://host:port, no trailing slash)");
    }
  }
}

}  // namespace

NodeConfig ReadNodeConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text(limits::kNodeTomlBytesMax + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (!in && !in.eof()) {
    NodeConfig config;
    config.problems.push_back("node.toml: " + path + ": cannot be read");
    config.parsed = false;
    return config;
  }
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > limits::kNodeTomlBytesMax) {
    NodeConfig config;
    config.problems.push_back("node.toml: " + path + ": larger than " +
                              std::to_string(limits::kNodeTomlBytesMax) + " bytes");
    config.parsed = false;
    return config;
  }
  return ParseNodeConfig(text, fs::absolute(fs::path(path)).parent_path().string(), path);
}

NodeConfig ParseNodeConfig(std::string_view text, const std::string& base_directory,
                           const std::string& source_name) {
  NodeConfig config;
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    config.problems.push_back("node.toml: " + source_name + ":" +
                              std::to_string(error.source().begin.line) + ": " +
                              std::string(error.description()));
    config.parsed = false;
    return config;
  }
  ConfigReader reader(root, fs::path(base_directory));
  Status read = ReadTables(reader, config.options);
  EVIDENCE_CHECK_MSG(read.ok(), "the config reader records problems instead of failing");
  CheckTogether(reader, config.options);
  config.problems = reader.problems();
  return config;
}

Result<NodeOptions> LoadNodeOptions(const std::string& path) {
  NodeConfig config = ReadNodeConfig(path);
  if (!config.problems.empty()) {
    std::string message;
    for (const std::string& problem : config.problems) {
      message += (message.empty() ? "" : "\n") + problem;
    }
    return Status::InvalidArgument(message);
  }
  return std::move(config.options);
}

Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("address \"" + address + "\" is not host:port");
  }
  std::string port_text = address.substr(colon + 1);
  bool digits = !port_text.empty() && port_text.size() <= 5 &&
                std::all_of(port_text.begin(), port_text.end(),
                            [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoi(port_text) > 65535) {
    return Status::InvalidArgument("address \"" + address + "\" has no valid port");
  }
  return std::make_pair(address.substr(0, colon), static_cast<uint16_t>(std::stoi(port_text)));
}

}  // namespace evidence::node
