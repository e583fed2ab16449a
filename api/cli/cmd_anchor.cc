// `evidence anchor --node URL --tsa URL [--out FILE]`
//
// Anchors the ledger outside (docs/timestamps.md §6): fetches the node's latest
// checkpoint (GET /checkpoint, a C2SP signed note), asks the outside RFC 3161
// TSA at URL for a token over it (POST, application/timestamp-query; the
// messageImprint is the SHA-256 of the checkpoint body — the note's text
// "<chain id>\n<tree size>\n<base64 root>\n" without its signature lines —
// certReq set, no nonce), checks the answer is a granted response over that
// imprint, and posts it to the node (POST /v1/anchors), which verifies it under
// the TSA CAs its operator trusts and keeps it (GET /v1/anchors).
//
// With --out FILE the token (the TimeStampResp DER) is written to FILE and the
// checkpoint body to FILE.checkpoint, so that
//   openssl ts -verify -data FILE.checkpoint -in FILE -CAfile TSA-CA.pem
// checks it with nothing of ours.
//
// Exit: 0 anchored; 1 the node or the TSA refused or could not be reached, or
// FILE could not be written; 2 unusable input.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>

#include "api/cli/commands.h"
#include "api/cli/http_client.h"
#include "common/encoding.h"
#include "crypto/hash.h"
#include "crypto/note.h"
#include "crypto/timestamp.h"

namespace evidence::cli {
namespace {

constexpr std::string_view kCommand = "anchor";
constexpr auto kRequestTimeout = std::chrono::seconds(30);
// As node/anchors.h kAnchorTokenBytesMax: the node takes no larger token.
constexpr size_t kTokenBytesMax = 16 * 1024;

struct AnchorOptions {
  std::string node;
  std::string tsa;
  std::string out;
};

Result<crypto::Note> FetchCheckpoint(HttpClient& node) {
  EVIDENCE_ASSIGN_OR_RETURN(HttpAnswer answer, node.Get("/checkpoint", kRequestTimeout));
  if (answer.status != 200) return Status::Unavailable("GET /checkpoint: " + DescribeAnswer(answer));
  auto note = crypto::DecodeNote(answer.body);
  if (!note.ok()) return Status::Unavailable("GET /checkpoint: not a signed note: " + note.status().message());
  auto checkpoint = crypto::DecodeCheckpointText(note->text);
  if (!checkpoint.ok()) {
    return Status::Unavailable("GET /checkpoint: not a checkpoint: " + checkpoint.status().message());
  }
  return note;
}

// The outside TSA's TimeStampResp over `body`, checked to be granted and over it.
Result<std::string> FetchToken(HttpClient& tsa, std::string_view body,
                               crypto::TimestampTokenInfo* info) {
  const crypto::Digest imprint = crypto::Hash(crypto::HashAlgorithm::kSha256, body);
  EVIDENCE_ASSIGN_OR_RETURN(Bytes query,
                            crypto::EncodeTimestampQuery(crypto::HashAlgorithm::kSha256, imprint));
  // The TSA's URL is its whole address: its path is the prefix, nothing follows.
  const std::string target = tsa.url().path_prefix.empty() ? "/" : "";
  EVIDENCE_ASSIGN_OR_RETURN(
      HttpAnswer answer, tsa.Post(target, AsStringView(query), "application/timestamp-query",
                                  kRequestTimeout));
  if (answer.status != 200) return Status::Unavailable("the TSA answered HTTP " + std::to_string(answer.status));
  if (answer.body.size() > kTokenBytesMax) {
    return Status::Unavailable("the TSA's answer is over " + std::to_string(kTokenBytesMax) + " bytes");
  }
  auto read = crypto::ReadTimestampResponse(AsBytes(answer.body));
  if (!read.ok()) return Status::Unavailable("the TSA's answer: " + read.status().message());
  if (read->imprint_algorithm != crypto::HashAlgorithm::kSha256 || read->imprint != imprint) {
    return Status::Unavailable("the TSA's token is not over the checkpoint it was asked for");
  }
  *info = std::move(read).value();
  return answer.body;
}

Status WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

int RunAnchor(const AnchorOptions& options) {
  auto node_url = ParseNodeUrl(options.node);
  auto tsa_url = ParseNodeUrl(options.tsa);
  if (!node_url.ok() || !tsa_url.ok()) {
    PrintError(kCommand, !node_url.ok() ? "--node " + node_url.status().message()
                                        : "--tsa " + tsa_url.status().message());
    return 2;
  }
  HttpClient node(*node_url);
  HttpClient tsa(*tsa_url);
  auto note = FetchCheckpoint(node);
  if (!note.ok()) {
    PrintError(kCommand, note.status().message());
    return 1;
  }
  const crypto::Checkpoint checkpoint = crypto::DecodeCheckpointText(note->text).value();
  crypto::TimestampTokenInfo info;
  auto token = FetchToken(tsa, note->text, &info);
  if (!token.ok()) {
    PrintError(kCommand, "--tsa " + tsa_url->text + ": " + token.status().message());
    return 1;
  }
  if (!options.out.empty()) {
    Status written = WriteFile(options.out, *token);
    if (written.ok()) written = WriteFile(options.out + ".checkpoint", note->text);
    if (!written.ok()) {
      PrintError(kCommand, written.message());
      return 1;
    }
  }
  const std::string request = boost::json::serialize(boost::json::object{
      {"tree_size", checkpoint.size}, {"token", Base64Encode(AsBytes(*token))}});
  auto posted = node.PostJson("/v1/anchors", request, kRequestTimeout);
  if (!posted.ok() || posted->status != 201) {
    PrintError(kCommand, "POST /v1/anchors: " + (posted.ok() ? DescribeAnswer(*posted)
                                                             : posted.status().message()));
    return 1;
  }
  std::cout << "anchored tree size " << checkpoint.size << " of " << checkpoint.origin
            << ": TSA " << (info.tsa_name.empty() ? "(unnamed)" : info.tsa_name) << ", genTime "
            << info.gen_time << ", imprint sha256:"
            << crypto::DigestHex(crypto::Hash(crypto::HashAlgorithm::kSha256, note->text)) << "\n";
  if (!options.out.empty()) {
    std::cout << "wrote " << options.out << " and " << options.out
              << ".checkpoint: openssl ts -verify -data " << options.out << ".checkpoint -in "
              << options.out << " -CAfile TSA-CA.pem\n";
  }
  return 0;
}

}  // namespace

void RegisterAnchor(CLI::App& app) {
  static AnchorOptions options;
  CLI::App* command = app.add_subcommand(
      std::string(kCommand),
      "Anchor the latest checkpoint with an outside RFC 3161 TSA's token and post it to the node");
  command->add_option("--node", options.node, "A node's API, e.g. http://127.0.0.1:8080")
      ->required();
  command->add_option("--tsa", options.tsa, "The outside TSA's URL (RFC 3161 over HTTP)")
      ->required();
  command->add_option("--out", options.out,
                      "Also write the token (TimeStampResp DER) here and the checkpoint to FILE.checkpoint");
  command->callback([] { SetExitCode(RunAnchor(options)); });
}

}  // namespace evidence::cli
