// `evidence merkle root|verify-inclusion|verify-consistency`: RFC 6962 / RFC 9162
// Merkle arithmetic for auditors, every hash in hex (DESIGN.md §7, docs/cli.md).
//
//   merkle root --leaves FILE [--alg sha256|sm3]
//   merkle verify-inclusion --leaf-hash HEX --index I --size N --root HEX --proof HEX[,HEX...]
//   merkle verify-consistency --size1 M --root1 HEX --size2 N --root2 HEX --proof HEX[,HEX...]
//
// Exit codes: 0 the proof holds (or the root was printed), 1 it does not hold (or
// the leaves file cannot be read), 2 unusable input: a hash that is not exactly
// 64 hex digits, an empty element in --proof, a count that is not a decimal
// number, a bad line in the leaves file, a missing option.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "api/cli/commands.h"
#include "common/encoding.h"
#include "crypto/merkle.h"

namespace evidence::cli {
namespace {

constexpr int kExitHolds = 0;
constexpr int kExitDoesNotHold = 1;
constexpr int kExitUnusable = 2;

// A strict unsigned decimal: digits only (no sign, spaces, 0x or exponent), fits uint64_t.
Result<uint64_t> ParseCount(std::string_view option, std::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  bool digits_only = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits_only || error != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(option) + ": \"" + std::string(text) +
                                   "\" is not a decimal number from 0 to 18446744073709551615");
  }
  return value;
}

Result<crypto::Digest> ParseHash(std::string_view option, std::string_view hex) {
  Result<crypto::Digest> digest = crypto::DigestFromHex(hex);
  if (!digest.ok()) {
    return digest.status().WithContext(std::string(option) +
                                       " must be a 32-byte hash in hex (64 digits)");
  }
  return digest;
}

// "" is the empty proof; otherwise comma-separated hashes, none of them empty.
Result<std::vector<crypto::Digest>> ParseProof(std::string_view text) {
  std::vector<crypto::Digest> proof;
  if (text.empty()) return proof;
  size_t element = 1;
  for (size_t begin = 0;; ++element) {
    size_t comma = text.find(',', begin);
    std::string_view item = text.substr(begin, comma == std::string_view::npos ? text.npos
                                                                               : comma - begin);
    std::string option = "--proof element " + std::to_string(element);
    if (item.empty()) {
      return Status::InvalidArgument(option + " is empty (write an empty proof as --proof \"\")");
    }
    EVIDENCE_ASSIGN_OR_RETURN(crypto::Digest hash, ParseHash(option, item));
    proof.push_back(hash);
    if (comma == std::string_view::npos) break;
    begin = comma + 1;
  }
  return proof;
}

Result<crypto::MerkleHasher> ParseHasher(const std::string& algorithm) {
  EVIDENCE_ASSIGN_OR_RETURN(crypto::HashAlgorithm parsed, crypto::ParseHashAlgorithm(algorithm));
  return crypto::MerkleHasher(parsed);
}

// ---------------------------------------------------------------------------
// merkle root
// ---------------------------------------------------------------------------
struct RootOptions {
  std::string leaves_path;
  std::string algorithm = "sha256";
};

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// Root of the leaves file: one leaf per line, the hex of its data. Lines end with
// "\n" or "\r\n"; an empty line is an empty leaf; the newline that ends the last
// line adds no leaf. An I/O failure is kIoError, a bad line kInvalidArgument.
Result<crypto::Digest> RootOfLeavesFile(const crypto::MerkleHasher& hasher,
                                        const std::string& path) {
  bool is_stdin = path == "-";
  std::unique_ptr<std::FILE, FileCloser> owned(is_stdin ? nullptr : std::fopen(path.c_str(), "rb"));
  std::FILE* file = is_stdin ? stdin : owned.get();
  if (file == nullptr) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  crypto::CompactRange range(hasher);
  char* buffer = nullptr;
  size_t capacity = 0;
  Status status;
  for (uint64_t line_number = 1;; ++line_number) {
    errno = 0;
    ssize_t length = ::getline(&buffer, &capacity, file);
    if (length < 0) {
      if (std::ferror(file)) {
        status = Status::IoError("cannot read " + path + ": " + std::strerror(errno));
      }
      break;
    }
    std::string_view line(buffer, static_cast<size_t>(length));
    if (!line.empty() && line.back() == '\n') {
      line.remove_suffix(1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF file
    }
    Result<Bytes> leaf = HexDecode(line);
    if (!leaf.ok()) {
      status = leaf.status().WithContext(path + " line " + std::to_string(line_number) +
                                         " (one leaf per line, as hex)");
      break;
    }
    range.Append(hasher.HashLeaf(*leaf));
  }
  std::free(buffer);
  if (!status.ok()) return status;
  return range.Root();
}

int RunRoot(const RootOptions& options) {
  constexpr std::string_view kCommand = "merkle root";
  Result<crypto::MerkleHasher> hasher = ParseHasher(options.algorithm);
  if (!hasher.ok()) {
    PrintError(kCommand, hasher.status().message());
    return kExitUnusable;
  }
  Result<crypto::Digest> root = RootOfLeavesFile(*hasher, options.leaves_path);
  if (!root.ok()) {
    PrintError(kCommand, root.status().message());
    return root.status().code() == StatusCode::kIoError ? kExitDoesNotHold : kExitUnusable;
  }
  std::cout << crypto::DigestHex(*root) << "\n" << std::flush;
  return kExitHolds;
}

// ---------------------------------------------------------------------------
// merkle verify-inclusion
// ---------------------------------------------------------------------------
struct InclusionOptions {
  std::string leaf_hash, index, size, root, proof;
  std::string algorithm = "sha256";
};

struct InclusionClaim {
  crypto::Digest leaf_hash;
  uint64_t index = 0;
  uint64_t size = 0;
  crypto::Digest root;
  std::vector<crypto::Digest> proof;
};

Result<InclusionClaim> ParseInclusion(const InclusionOptions& options) {
  InclusionClaim claim;
  EVIDENCE_ASSIGN_OR_RETURN(claim.leaf_hash, ParseHash("--leaf-hash", options.leaf_hash));
  EVIDENCE_ASSIGN_OR_RETURN(claim.index, ParseCount("--index", options.index));
  EVIDENCE_ASSIGN_OR_RETURN(claim.size, ParseCount("--size", options.size));
  EVIDENCE_ASSIGN_OR_RETURN(claim.root, ParseHash("--root", options.root));
  EVIDENCE_ASSIGN_OR_RETURN(claim.proof, ParseProof(options.proof));
  return claim;
}

int RunVerifyInclusion(const InclusionOptions& options) {
  constexpr std::string_view kCommand = "merkle verify-inclusion";
  Result<crypto::MerkleHasher> hasher = ParseHasher(options.algorithm);
  Result<InclusionClaim> claim = hasher.ok() ? ParseInclusion(options) : hasher.status();
  if (!claim.ok()) {
    PrintError(kCommand, claim.status().message());
    return kExitUnusable;
  }
  Status status = crypto::VerifyInclusion(*hasher, claim->leaf_hash, claim->index, claim->size,
                                          claim->proof, claim->root);
  if (!status.ok()) {
    PrintError(kCommand, "the proof does not hold: " + status.message());
    return kExitDoesNotHold;
  }
  std::cout << "OK: leaf " << crypto::DigestHex(claim->leaf_hash) << " is at index "
            << claim->index << " of the tree of size " << claim->size << " with root "
            << crypto::DigestHex(claim->root) << "\n"
            << std::flush;
  return kExitHolds;
}

// ---------------------------------------------------------------------------
// merkle verify-consistency
// ---------------------------------------------------------------------------
struct ConsistencyOptions {
  std::string size1, root1, size2, root2, proof;
  std::string algorithm = "sha256";
};

struct ConsistencyClaim {
  uint64_t size1 = 0;
  crypto::Digest root1;
  uint64_t size2 = 0;
  crypto::Digest root2;
  std::vector<crypto::Digest> proof;
};

Result<ConsistencyClaim> ParseConsistency(const ConsistencyOptions& options) {
  ConsistencyClaim claim;
  EVIDENCE_ASSIGN_OR_RETURN(claim.size1, ParseCount("--size1", options.size1));
  EVIDENCE_ASSIGN_OR_RETURN(claim.root1, ParseHash("--root1", options.root1));
  EVIDENCE_ASSIGN_OR_RETURN(claim.size2, ParseCount("--size2", options.size2));
  EVIDENCE_ASSIGN_OR_RETURN(claim.root2, ParseHash("--root2", options.root2));
  EVIDENCE_ASSIGN_OR_RETURN(claim.proof, ParseProof(options.proof));
  return claim;
}

int RunVerifyConsistency(const ConsistencyOptions& options) {
  constexpr std::string_view kCommand = "merkle verify-consistency";
  Result<crypto::MerkleHasher> hasher = ParseHasher(options.algorithm);
  Result<ConsistencyClaim> claim = hasher.ok() ? ParseConsistency(options) : hasher.status();
  if (!claim.ok()) {
    PrintError(kCommand, claim.status().message());
    return kExitUnusable;
  }
  Status status = crypto::VerifyConsistency(*hasher, claim->size1, claim->root1, claim->size2,
                                            claim->root2, claim->proof);
  if (!status.ok()) {
    PrintError(kCommand, "the proof does not hold: " + status.message());
    return kExitDoesNotHold;
  }
  std::cout << "OK: the tree of size " << claim->size1 << " with root "
            << crypto::DigestHex(claim->root1) << " is a prefix of the tree of size "
            << claim->size2 << " with root " << crypto::DigestHex(claim->root2) << "\n"
            << std::flush;
  return kExitHolds;
}

void AddAlgorithmOption(CLI::App& command, std::string& algorithm) {
  command.add_option("--alg", algorithm, "Hash algorithm of the chain: sha256 (default) or sm3");
}

}  // namespace

void RegisterMerkle(CLI::App& app) {
  CLI::App* merkle = app.add_subcommand(
      "merkle", "RFC 6962 Merkle tree arithmetic for auditors (every hash in hex)");
  merkle->require_subcommand(1);

  static RootOptions root;
  CLI::App* root_command =
      merkle->add_subcommand("root", "Print the root of the tree of the leaves in FILE");
  root_command
      ->add_option("--leaves", root.leaves_path,
                   "File with one leaf per line as hex of its data (- for stdin)")
      ->required();
  AddAlgorithmOption(*root_command, root.algorithm);
  root_command->callback([] { SetExitCode(RunRoot(root)); });

  static InclusionOptions inclusion;
  CLI::App* inclusion_command = merkle->add_subcommand(
      "verify-inclusion", "Check that a leaf hash is at an index of a tree with a given root");
  inclusion_command->add_option("--leaf-hash", inclusion.leaf_hash, "H(0x00 || leaf), hex")
      ->required();
  inclusion_command->add_option("--index", inclusion.index, "Leaf index (from 0)")->required();
  inclusion_command->add_option("--size", inclusion.size, "Tree size (leaves)")->required();
  inclusion_command->add_option("--root", inclusion.root, "Tree root, hex")->required();
  inclusion_command
      ->add_option("--proof", inclusion.proof, "Comma-separated hashes, leaf side first; \"\" if none")
      ->required();
  AddAlgorithmOption(*inclusion_command, inclusion.algorithm);
  inclusion_command->callback([] { SetExitCode(RunVerifyInclusion(inclusion)); });

  static ConsistencyOptions consistency;
  CLI::App* consistency_command = merkle->add_subcommand(
      "verify-consistency", "Check that the tree of size1 is a prefix of the tree of size2");
  consistency_command->add_option("--size1", consistency.size1, "Old tree size")->required();
  consistency_command->add_option("--root1", consistency.root1, "Old tree root, hex")->required();
  consistency_command->add_option("--size2", consistency.size2, "New tree size")->required();
  consistency_command->add_option("--root2", consistency.root2, "New tree root, hex")->required();
  consistency_command
      ->add_option("--proof", consistency.proof, "Comma-separated hashes; \"\" if none")
      ->required();
  AddAlgorithmOption(*consistency_command, consistency.algorithm);
  consistency_command->callback([] { SetExitCode(RunVerifyConsistency(consistency)); });
}

}  // namespace evidence::cli
