// `evidence timestamp ID --node URL --out DIR [--institution NAME]...`
//
// Fetches the RFC 3161 time-stamp token of a committed record from every
// validator institution in the node's genesis (or only the ones named), each
// from GET /v1/records/{id}/timestamp?institution=NAME, following the node's
// redirect to that institution's own node once. Each token is checked to be a
// granted TimeStampResp for this record (the record id extension) and saved as
// DIR/<validator name>.tsr (the name percent-encoded beyond A-Z a-z 0-9 - . _ ~); `openssl ts -verify -data DOCUMENT -in DIR/NAME.tsr
// -CAfile CA.pem` then checks it (docs/timestamps.md). Exit 0 when every token
// was saved, 1 when one could not be had, 2 for unusable input.
#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"
#include "common/encoding.h"
#include "crypto/hash.h"
#include "crypto/timestamp.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "timestamp";
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr size_t kTokenBytesMax = 64 * 1024;

struct TimestampOptions {
  std::string id;
  std::string node;
  std::string out;
  std::vector<std::string> institutions;
};

// The validator names of the node's genesis, in genesis order.
Result<std::vector<std::string>> ValidatorNames(HttpClient& client) {
  auto answer = client.Get("/v1/genesis", kRequestTimeout);
  if (!answer.ok()) return answer.status();
  if (answer->status != 200) {
    return Status::Unavailable("GET /v1/genesis: " + DescribeAnswer(*answer));
  }
  auto genesis = ParseAnswerJson(*answer);
  const boost::json::value* validators =
      genesis.ok() && genesis->is_object() ? genesis->as_object().if_contains("validators")
                                           : nullptr;
  if (validators == nullptr || !validators->is_array()) {
    return Status::Unavailable("GET /v1/genesis did not answer a genesis with validators");
  }
  std::vector<std::string> names;
  for (const boost::json::value& validator : validators->as_array()) {
    const boost::json::value* name =
        validator.is_object() ? validator.as_object().if_contains("name") : nullptr;
    if (name == nullptr || !name->is_string()) {
      return Status::Unavailable("a validator in the node's genesis has no name");
    }
    names.emplace_back(name->as_string());
  }
  return names;
}

// GET `target` from `client`; a 307/308 to an http URL is followed once.
Result<HttpAnswer> GetFollowingOnce(HttpClient& client, const std::string& target) {
  auto answer = client.Get(target, kRequestTimeout);
  if (!answer.ok() || (answer->status != 307 && answer->status != 308)) return answer;
  const std::string& location = answer->location;
  const size_t path = location.starts_with("http://") ? location.find('/', 7) : std::string::npos;
  if (path == std::string::npos) {
    return Status::Unavailable("the node redirected to \"" + location + "\", not an http URL");
  }
  auto url = ParseNodeUrl(location.substr(0, path));
  if (!url.ok()) return Status::Unavailable("redirect to " + location + ": " + url.status().message());
  HttpClient other(*url);
  return other.Get(location.substr(path), kRequestTimeout);
}

// One institution's token: fetched, checked, saved. Prints one line.
Status FetchOne(HttpClient& client, const TimestampOptions& options, const std::string& name) {
  const std::string target =
      "/v1/records/" + options.id + "/timestamp?institution=" + PercentEncode(name);
  EVIDENCE_ASSIGN_OR_RETURN(HttpAnswer answer, GetFollowingOnce(client, target));
  if (answer.status != 200) return Status::Unavailable(DescribeAnswer(answer));
  if (answer.content_type != "application/timestamp-reply") {
    return Status::Unavailable("the answer is " + answer.content_type +
                               ", not application/timestamp-reply");
  }
  if (answer.body.size() > kTokenBytesMax) return Status::Unavailable("the token is too large");
  auto info = crypto::ReadTimestampResponse(AsBytes(answer.body));
  if (!info.ok()) return Status::Unavailable(info.status().message());
  if (info->record_id_hex != options.id) {
    return Status::Unavailable("the token is for record \"" + info->record_id_hex + "\"");
  }
  const std::string path = (std::filesystem::path(options.out) / (PercentEncode(name) + ".tsr")).string();
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(answer.body.data(), static_cast<std::streamsize>(answer.body.size()));
  file.close();
  if (!file) return Status::IoError("cannot write " + path);
  std::cout << name << ": " << path << " genTime " << info->gen_time << " serial "
            << info->serial_hex << " " << crypto::HashAlgorithmName(info->imprint_algorithm)
            << ":" << crypto::DigestHex(info->imprint) << "\n";
  return Status::Ok();
}

int RunTimestamp(const TimestampOptions& options) {
  if (!crypto::DigestFromHex(options.id).ok() || options.id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    PrintError(kCommand, "ID must be a record id: 64 lower-case hex digits");
    return 2;
  }
  auto url = ParseNodeUrl(options.node);
  if (!url.ok()) {
    PrintError(kCommand, "--node " + url.status().message());
    return 2;
  }
  std::error_code error;
  std::filesystem::create_directories(options.out, error);
  if (error) {
    PrintError(kCommand, "--out " + options.out + ": " + error.message());
    return 2;
  }
  HttpClient client(*url);
  std::vector<std::string> names = options.institutions;
  if (names.empty()) {
    auto all = ValidatorNames(client);
    if (!all.ok()) {
      PrintError(kCommand, all.status().message());
      return 1;
    }
    names = std::move(*all);
  }
  int failed = 0;
  for (const std::string& name : names) {
    Status fetched = FetchOne(client, options, name);
    if (!fetched.ok()) {
      PrintError(kCommand, name + ": " + fetched.message());
      ++failed;
    }
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace

void RegisterTimestamp(CLI::App& app) {
  static TimestampOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand), "Fetch a committed record's RFC 3161 token from every institution");
  command->add_option("id", options.id, "The record id (64 hex digits)")->required();
  command->add_option("--node", options.node, "A node's API, e.g. http://127.0.0.1:8080")
      ->required();
  command->add_option("--out", options.out, "Directory for the tokens (<validator name>.tsr)")
      ->required();
  command->add_option("--institution", options.institutions,
                      "Only this validator (name or institution); repeatable");
  command->callback([] { SetExitCode(RunTimestamp(options)); });
}

}  // namespace evidence::cli
