#include "ledger/store.h"

#include <fcntl.h>
#include <leveldb/cache.h>
#include <unistd.h>
#include <leveldb/write_batch.h>

#include <array>
#include <bit>
#include <optional>

namespace evidence::ledger {
namespace {

constexpr std::string_view kVersionKey = "V";
constexpr std::string_view kHeadKey = "H";
// Stores of a version-1 genesis keep their format name; chains with governance
// (genesis version 2) may hold version-2 blocks and the governance keys.
constexpr std::string_view kStoreFormatV1 = "evidence-store/1";
constexpr std::string_view kStoreFormatV2 = "evidence-store/2";
constexpr char kBlockPrefix = 'b';
constexpr char kCommitPrefix = 'c';
constexpr char kLeafPrefix = 'l';
constexpr char kRecordPrefix = 'r';
constexpr char kDigestPrefix = 'd';
constexpr char kCasePrefix = 'k';
constexpr char kAgencyPrefix = 'a';
constexpr char kNodePrefix = 'n';
constexpr char kGovernancePrefix = 'g';

void PutU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}
uint64_t GetU64(std::string_view in, size_t at) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(in[at + i]);
  return value;
}
void PutDigest(std::string& out, const crypto::Digest& d) {
  out.append(reinterpret_cast<const char*>(d.data()), d.size());
}
crypto::Digest GetDigest(std::string_view in, size_t at) {
  return crypto::DigestFromBytes(AsBytes(in.substr(at, crypto::kDigestBytes)));
}

std::string HeightKey(char prefix, uint64_t height) {
  std::string key(1, prefix);
  PutU64(key, height);
  return key;
}
std::string NodeKey(uint32_t level, uint64_t index) {
  std::string key(1, kNodePrefix);
  key.push_back(static_cast<char>(level));
  PutU64(key, index);
  return key;
}
std::string RecordKey(const crypto::Digest& id) {
  std::string key(1, kRecordPrefix);
  PutDigest(key, id);
  return key;
}
std::string DigestPrefix(const DocumentDigest& d) {
  std::string key(1, kDigestPrefix);
  key.push_back(d.algorithm == crypto::HashAlgorithm::kSha256 ? 0 : 1);
  PutDigest(key, d.value);
  return key;
}
std::string CasePrefix(std::string_view case_id) {
  std::string key(1, kCasePrefix);
  key.append(case_id);
  key.push_back('\0');
  return key;
}
std::string AgencyPrefix(std::string_view agency) {
  std::string key(1, kAgencyPrefix);
  key.append(agency);
  key.push_back('\0');
  return key;
}
// Signed time ordered as unsigned: flip the sign bit.
uint64_t OrderedTime(int64_t time_ms) { return static_cast<uint64_t>(time_ms) ^ (uint64_t{1} << 63); }

std::string EncodeHead(const TreeHead& head) {
  std::string out;
  PutU64(out, head.height);
  PutU64(out, head.size);
  PutDigest(out, head.block_hash);
  return out;
}

// The three secondary index keys Append writes for a record at `leaf_index`
// (their values are empty), named for messages.
std::array<std::pair<std::string_view, std::string>, 3> IndexKeys(const Record& record,
                                                                  uint64_t leaf_index) {
  std::string suffix;
  PutU64(suffix, leaf_index);
  std::string agency_key = AgencyPrefix(record.agency);
  PutU64(agency_key, OrderedTime(record.time_ms));
  return {{{"digest", DigestPrefix(ParseDocumentDigest(record.digest).value()) + suffix},
           {"case", CasePrefix(record.case_id) + suffix},
           {"agency", agency_key + suffix}}};
}

// Counts one key by its kind (docs/storage-format.md); Corruption for a key of
// no known kind or with a bad length.
Status CountKey(std::string_view key, Store::KeyCounts& counts) {
  if (key == kVersionKey) {
    ++counts.version;
    return Status::Ok();
  }
  if (key == kHeadKey) {
    ++counts.head;
    return Status::Ok();
  }
  // Case and agency keys: a variable part, 0x00, then `tail` fixed bytes.
  auto separated = [&](size_t tail) {
    return key.size() >= 2 + tail && key[key.size() - tail - 1] == '\0';
  };
  uint64_t* count = nullptr;
  bool well_formed = false;
  switch (key.empty() ? '\0' : key[0]) {
    case kBlockPrefix:
      count = &counts.blocks;
      well_formed = key.size() == 9;
      break;
    case kCommitPrefix:
      count = &counts.commits;
      well_formed = key.size() == 9;
      break;
    case kLeafPrefix:
      count = &counts.leaves;
      well_formed = key.size() == 9;
      break;
    case kNodePrefix:
      count = &counts.nodes;
      well_formed = key.size() == 10;
      break;
    case kRecordPrefix:
      count = &counts.records;
      well_formed = key.size() == 1 + crypto::kDigestBytes;
      break;
    case kDigestPrefix:
      count = &counts.digests;
      well_formed = key.size() == 2 + crypto::kDigestBytes + 8;
      break;
    case kCasePrefix:
      count = &counts.cases;
      well_formed = separated(8);
      break;
    case kAgencyPrefix:
      count = &counts.agencies;
      well_formed = separated(16);
      break;
    case kGovernancePrefix:
      count = &counts.governance;
      well_formed = key.size() == 9;
      break;
    default:
      break;
  }
  if (count == nullptr || !well_formed) {
    return Status::Corruption("a key of " + std::to_string(key.size()) + " bytes starting with '" +
                              std::string(key.substr(0, 1)) + "' is " +
                              (count == nullptr ? "of no known kind" : "malformed"));
  }
  ++*count;
  return Status::Ok();
}

Status FromLevelDb(const leveldb::Status& status, std::string_view what) {
  if (status.ok()) return Status::Ok();
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::Corruption(message);
  if (status.IsNotFound()) return Status::NotFound(message);
  if (status.IsInvalidArgument()) return Status::InvalidArgument(message);
  return Status::IoError(message);
}

}  // namespace

bool StoreInUseByAnotherProcess(const std::string& directory) {
  // LevelDB's PosixEnv locks <directory>/LOCK with fcntl(F_SETLK, F_WRLCK).
  int fd = ::open((directory + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  bool held = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

Store::Store(const Genesis& genesis, const StoreOptions& options)
    : genesis_(genesis),
      genesis_state_(GovernanceState::FromGenesis(genesis)),
      options_(options),
      history_(genesis_state_),
      log_(crypto::MerkleHasher(genesis.hash())) {}

Store::~Store() = default;

leveldb::ReadOptions Store::read_options() const {
  leveldb::ReadOptions read;
  read.verify_checksums = options_.verify_checksums;
  return read;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& directory, const Genesis& genesis,
                                           const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store(genesis, options));
  leveldb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.paranoid_checks = options.paranoid_checks;
  db_options.write_buffer_size = options.write_buffer_bytes;
  store->cache_.reset(leveldb::NewLRUCache(options.cache_bytes));
  db_options.block_cache = store->cache_.get();
  store->filter_.reset(leveldb::NewBloomFilterPolicy(10));
  db_options.filter_policy = store->filter_.get();
  leveldb::DB* db = nullptr;
  EVIDENCE_RETURN_IF_ERROR(
      FromLevelDb(leveldb::DB::Open(db_options, directory, &db), "cannot open store " + directory));
  store->db_.reset(db);
  EVIDENCE_RETURN_IF_ERROR(store->Initialize().WithContext("store " + directory));
  EVIDENCE_RETURN_IF_ERROR(store->CheckHead().WithContext("store " + directory));
  EVIDENCE_RETURN_IF_ERROR(store->LoadGovernance().WithContext("store " + directory));
  return store;
}

Result<std::string> Store::Get(const std::string& key, std::string_view what) const {
  std::string value;
  leveldb::Status status = db_->Get(read_options(), key, &value);
  if (status.IsNotFound()) return Status::NotFound(std::string(what) + " not found");
  EVIDENCE_RETURN_IF_ERROR(FromLevelDb(status, std::string("reading ") + std::string(what)));
  return value;
}

Status Store::Initialize() {
  const std::string_view format = genesis_.governed() ? kStoreFormatV2 : kStoreFormatV1;
  std::string expected(format);
  expected.push_back('\0');
  PutDigest(expected, genesis_.Hash());
  auto version = Get(std::string(kVersionKey), "store version");
  if (version.ok()) {
    if (*version != expected) {
      // "evidence-store/N" with N above ours: a newer binary wrote it.
      std::string_view prefix = "evidence-store/";
      if (version->starts_with(prefix)) {
        std::string number = version->substr(prefix.size(), version->find('\0') - prefix.size());
        // Above the highest format this binary knows (kStoreFormatV2); 9 digits at most.
        if (!number.empty() && number.size() <= 9 &&
            number.find_first_not_of("0123456789") == std::string::npos &&
            std::stoul(number) > 2) {
          return Status::FailedPrecondition(
              "the store is in format evidence-store/" + number +
              ", written by a newer evidence-node; this one reads up to " +
              std::string(kStoreFormatV2) + ": run the newer version (docs/operations.md, Upgrade)");
        }
      }
      return Status::FailedPrecondition(
          "the store was written for another genesis or format (expected " +
          std::string(format) + " of genesis " + crypto::DigestHex(genesis_.Hash()) + ")");
    }
    return Status::Ok();
  }
  if (version.status().code() != StatusCode::kNotFound) return version.status();
  // A new store must be empty: refuse to adopt a directory holding other data.
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options()));
  it->SeekToFirst();
  if (it->Valid()) return Status::Corruption("store has data but no version key");
  EVIDENCE_RETURN_IF_ERROR(FromLevelDb(it->status(), "scanning new store"));
  leveldb::WriteOptions write;
  write.sync = true;
  return FromLevelDb(db_->Put(write, std::string(kVersionKey), expected), "writing store version");
}

Status Store::CheckHead() {
  auto head = Get(std::string(kHeadKey), "head");
  if (!head.ok()) {
    if (head.status().code() != StatusCode::kNotFound) return head.status();
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options()));
    it->Seek(std::string(1, kBlockPrefix));
    if (it->Valid() && !it->key().empty() && it->key()[0] == kBlockPrefix) {
      return Status::Corruption("store holds blocks but no head");
    }
    head_ = TreeHead{0, 0, crypto::MerkleHasher(genesis_.hash()).EmptyRoot(), {}};
    last_block_time_ms_ = genesis_.genesis_time_ms();
    return Status::Ok();
  }
  if (head->size() != 16 + crypto::kDigestBytes) return Status::Corruption("head has a bad size");
  TreeHead h{GetU64(*head, 0), GetU64(*head, 8), {}, GetDigest(*head, 16)};
  if (h.height == 0) return Status::Corruption("head names height 0");
  EVIDENCE_ASSIGN_OR_RETURN(BlockHeader header, GetHeader(h.height));
  if (BlockHash(genesis_.hash(), header) != h.block_hash) {
    return Status::Corruption("head's block hash is not the hash of block " + std::to_string(h.height));
  }
  if (header.height != h.height || header.log_size != h.size) {
    return Status::Corruption("head and block " + std::to_string(h.height) + " disagree on height or log size");
  }
  auto next = Get(HeightKey(kBlockPrefix, h.height + 1), "block");
  if (next.ok()) return Status::Corruption("store holds a block above its head");
  // Rebuild the frontier from the stored nodes and compare the root.
  auto log = LoadRange(h.size);
  if (!log.ok()) return log.status();
  h.root = log->Root();
  if (h.root != header.log_root) {
    return Status::Corruption("log root recomputed from stored nodes differs from block " +
                              std::to_string(h.height) + "'s log root");
  }
  EVIDENCE_ASSIGN_OR_RETURN(Commit commit, GetCommit(h.height));
  if (commit.height != h.height || commit.block_hash != h.block_hash) {
    return Status::Corruption("stored commit is not for the head block");
  }
  head_ = h;
  last_block_time_ms_ = header.time_ms;
  log_ = std::move(log).value();
  return Status::Ok();
}

Status Store::LoadGovernance() {
  MutexLock lock(&mutex_);
  const std::string prefix(1, kGovernancePrefix);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.size() != 9) return Status::Corruption("a governance index key is malformed");
    uint64_t height = GetU64(key, 1);
    if (height == 0 || height > head_.height) {
      return Status::Corruption("the governance index names block " + std::to_string(height) +
                                ", above the head " + std::to_string(head_.height));
    }
    EVIDENCE_ASSIGN_OR_RETURN(Block block, GetBlock(height));
    if (block.actions.empty()) {
      return Status::Corruption("the governance index names block " + std::to_string(height) +
                                ", which carries no governance action");
    }
    Status applied = history_.Apply(height, block.header.time_ms, block.actions);
    if (!applied.ok()) {
      return Status::Corruption("the governance actions of block " + std::to_string(height) +
                                " do not apply: " + applied.message());
    }
  }
  EVIDENCE_RETURN_IF_ERROR(FromLevelDb(it->status(), "reading the governance index"));
  if (head_.height == 0) return Status::Ok();
  // The head block commits to the register its actions applied to.
  EVIDENCE_ASSIGN_OR_RETURN(BlockHeader header, GetHeader(head_.height));
  const GovernanceStatePtr before = history_.AfterBlock(head_.height - 1);
  const std::vector<uint64_t> changes = history_.ChangeHeights();
  const bool carries_actions = !changes.empty() && changes.back() == head_.height;
  if (header.version != RequiredBlockVersion(*before, carries_actions)) {
    return Status::Corruption("the head block's version does not fit the stored governance "
                              "actions");
  }
  if (header.version == kBlockVersionGoverned && header.state_hash != before->Hash()) {
    return Status::Corruption("the head block's state_hash is not the hash of the register "
                              "the stored governance actions give");
  }
  return Status::Ok();
}

TreeHead Store::head() const {
  MutexLock lock(&mutex_);
  return head_;
}

ChainState Store::chain_state() const {
  MutexLock lock(&mutex_);
  ChainState state;
  state.height = head_.height;
  state.last_block_hash = head_.block_hash;
  state.last_block_time_ms = last_block_time_ms_;
  state.log = log_;
  state.contains_record = [this](const crypto::Digest& id) { return ContainsRecord(id); };
  state.next = history_.InForce(head_.height + 1);
  state.last = head_.height == 0 ? state.next : history_.InForce(head_.height);
  state.latest = history_.Latest();
  return state;
}

GovernanceStatePtr Store::NextState() const {
  MutexLock lock(&mutex_);
  return history_.InForce(head_.height + 1);
}

GovernanceStatePtr Store::StateInForce(uint64_t height) const {
  MutexLock lock(&mutex_);
  if (height > head_.height + kGovernanceActivationDelay) return nullptr;
  return history_.InForce(height);
}

GovernanceStatePtr Store::StateAfter(uint64_t height) const {
  MutexLock lock(&mutex_);
  return history_.AfterBlock(height);
}

GovernanceStatePtr Store::LatestState() const {
  MutexLock lock(&mutex_);
  return history_.Latest();
}

Result<std::vector<std::string>> Store::GetActions(uint64_t height) const {
  EVIDENCE_ASSIGN_OR_RETURN(std::string value, Get(HeightKey(kBlockPrefix, height),
                                                   "block " + std::to_string(height)));
  if (value.size() < 16) return Status::Corruption("block " + std::to_string(height) + " is truncated");
  auto block = DecodeBlock(AsBytes(std::string_view(value).substr(16)));
  if (!block.ok()) return block.status().WithContext("block " + std::to_string(height));
  return std::move(block->actions);
}

std::vector<uint64_t> Store::GovernanceHeights() const {
  MutexLock lock(&mutex_);
  return history_.ChangeHeights();
}

Status Store::Append(const Block& block, const Commit& commit,
                     std::vector<crypto::Digest>* record_ids,
                     const std::vector<std::optional<KnownRecord>>* known) {
  EVIDENCE_CHECK(known == nullptr || known->size() == block.leaves.size());
  MutexLock lock(&mutex_);
  const BlockHeader& h = block.header;
  crypto::Digest hash = BlockHash(genesis_.hash(), h);
  if (h.chain_id != genesis_.chain_id() || h.height != head_.height + 1 ||
      h.previous_hash != head_.block_hash) {
    return Status::FailedPrecondition("block " + std::to_string(h.height) +
                                      " does not extend the store's head " +
                                      std::to_string(head_.height));
  }
  if (commit.height != h.height || commit.block_hash != hash) {
    return Status::InvalidArgument("commit is not for block " + std::to_string(h.height));
  }
  leveldb::WriteBatch batch;
  crypto::CompactRange log = log_;
  crypto::MerkleHasher hasher(genesis_.hash());
  uint64_t first_leaf = log.size();
  std::vector<crypto::Digest> ids;
  ids.reserve(block.leaves.size());
  for (size_t i = 0; i < block.leaves.size(); ++i) {
    const std::string& leaf = block.leaves[i];
    const std::optional<KnownRecord>* held = known != nullptr ? &(*known)[i] : nullptr;
    const Record* record = held != nullptr && held->has_value() ? &(*held)->record : nullptr;
    std::optional<Record> parsed_here;
    if (record == nullptr) {
      Result<Record> parsing = ParseRecord(leaf);
      if (!parsing.ok()) {
        return parsing.status().WithContext("appending block " + std::to_string(h.height));
      }
      record = &parsed_here.emplace(std::move(parsing).value());
    }
    uint64_t index = log.size();
    log.Append(hasher.HashLeaf(AsBytes(leaf)), [&](uint32_t level, uint64_t node, const crypto::Digest& d) {
      batch.Put(NodeKey(level, node), std::string(reinterpret_cast<const char*>(d.data()), d.size()));
    });
    batch.Put(HeightKey(kLeafPrefix, index), leaf);
    std::string location;
    PutU64(location, index);
    PutU64(location, h.height);
    ids.push_back(parsed_here ? RecordId(genesis_.hash(), *record) : (*held)->id);
    batch.Put(RecordKey(ids.back()), location);
    for (const auto& [unused, key] : IndexKeys(*record, index)) batch.Put(key, "");
  }
  if (log.size() != h.log_size || log.Root() != h.log_root) {
    return Status::InvalidArgument("block " + std::to_string(h.height) +
                                   " log size/root do not extend the stored log");
  }
  // The register changes with the block, or not at all.
  GovernanceHistory history = history_;
  if (!block.actions.empty()) {
    Status applied = history.Apply(h.height, h.time_ms, block.actions);
    if (!applied.ok()) return applied.WithContext("appending block " + std::to_string(h.height));
    batch.Put(HeightKey(kGovernancePrefix, h.height), "");
  }
  Block stored = block;
  stored.leaves.clear();
  std::string block_value;
  PutU64(block_value, first_leaf);
  PutU64(block_value, block.leaves.size());
  Bytes encoded = EncodeBlock(stored);
  block_value.append(encoded.begin(), encoded.end());
  batch.Put(HeightKey(kBlockPrefix, h.height), block_value);
  Bytes commit_bytes = EncodeCommitBinary(commit);
  batch.Put(HeightKey(kCommitPrefix, h.height), std::string(commit_bytes.begin(), commit_bytes.end()));
  TreeHead next{h.height, log.size(), log.Root(), hash};
  batch.Put(std::string(kHeadKey), EncodeHead(next));
  leveldb::WriteOptions write;
  write.sync = true;
  EVIDENCE_RETURN_IF_ERROR(FromLevelDb(db_->Write(write, &batch), "writing block " + std::to_string(h.height)));
  head_ = next;
  last_block_time_ms_ = h.time_ms;
  log_ = std::move(log);
  history_ = std::move(history);
  if (record_ids != nullptr) *record_ids = std::move(ids);
  return Status::Ok();
}

Result<Block> Store::GetBlock(uint64_t height) const {
  EVIDENCE_ASSIGN_OR_RETURN(std::string value, Get(HeightKey(kBlockPrefix, height),
                                                   "block " + std::to_string(height)));
  if (value.size() < 16) return Status::Corruption("block " + std::to_string(height) + " is truncated");
  uint64_t first_leaf = GetU64(value, 0);
  uint64_t count = GetU64(value, 8);
  if (count > limits::kBlockRecordsMax) {
    return Status::Corruption("block " + std::to_string(height) + " has a bad leaf count");
  }
  auto block = DecodeBlock(AsBytes(std::string_view(value).substr(16)));
  if (!block.ok()) return block.status().WithContext("block " + std::to_string(height));
  for (uint64_t i = 0; i < count; ++i) {
    EVIDENCE_ASSIGN_OR_RETURN(std::string leaf, GetLeaf(first_leaf + i));
    block->leaves.push_back(std::move(leaf));
  }
  return block;
}

Result<BlockHeader> Store::GetHeader(uint64_t height) const {
  EVIDENCE_ASSIGN_OR_RETURN(std::string value, Get(HeightKey(kBlockPrefix, height),
                                                   "block " + std::to_string(height)));
  if (value.size() < 16) return Status::Corruption("block " + std::to_string(height) + " is truncated");
  auto block = DecodeBlock(AsBytes(std::string_view(value).substr(16)));
  if (!block.ok()) return block.status().WithContext("block " + std::to_string(height));
  return block->header;
}

Status Store::ExportSnapshot(
    const std::function<Status(const TreeHead&)>& begin,
    const std::function<Status(std::string_view, std::string_view)>& each,
    const std::atomic<bool>* stop) const {
  const leveldb::Snapshot* snapshot = db_->GetSnapshot();
  struct Release {
    leveldb::DB* db;
    const leveldb::Snapshot* snapshot;
    ~Release() { db->ReleaseSnapshot(snapshot); }
  } release{db_.get(), snapshot};
  leveldb::ReadOptions read = read_options();
  read.snapshot = snapshot;
  read.fill_cache = false;
  TreeHead head{0, 0, crypto::MerkleHasher(genesis_.hash()).EmptyRoot(), {}};
  std::string value;
  leveldb::Status status = db_->Get(read, std::string(kHeadKey), &value);
  if (status.ok()) {
    if (value.size() != 16 + crypto::kDigestBytes) return Status::Corruption("head has a bad size");
    head = TreeHead{GetU64(value, 0), GetU64(value, 8), {}, GetDigest(value, 16)};
    EVIDENCE_RETURN_IF_ERROR(FromLevelDb(
        db_->Get(read, HeightKey(kBlockPrefix, head.height), &value), "reading the head block"));
    if (value.size() < 16) return Status::Corruption("the head block is truncated");
    EVIDENCE_ASSIGN_OR_RETURN(Block block, DecodeBlock(AsBytes(std::string_view(value).substr(16))));
    head.root = block.header.log_root;
  } else if (!status.IsNotFound()) {
    return FromLevelDb(status, "reading the head");
  }
  EVIDENCE_RETURN_IF_ERROR(begin(head));
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (stop != nullptr && stop->load()) return Status::Unavailable("the export was stopped");
    EVIDENCE_RETURN_IF_ERROR(each(std::string_view(it->key().data(), it->key().size()),
                                  std::string_view(it->value().data(), it->value().size())));
  }
  return FromLevelDb(it->status(), "reading the store");
}

Result<Commit> Store::GetCommit(uint64_t height) const {
  EVIDENCE_ASSIGN_OR_RETURN(std::string value, Get(HeightKey(kCommitPrefix, height),
                                                   "commit " + std::to_string(height)));
  auto commit = DecodeCommitBinary(AsBytes(value));
  if (!commit.ok()) return commit.status().WithContext("commit " + std::to_string(height));
  return commit;
}

Result<std::string> Store::GetLeaf(uint64_t leaf_index) const {
  return Get(HeightKey(kLeafPrefix, leaf_index), "leaf " + std::to_string(leaf_index));
}

Result<crypto::Digest> Store::GetNode(uint32_t level, uint64_t index) const {
  EVIDENCE_ASSIGN_OR_RETURN(std::string value,
                            Get(NodeKey(level, index), "Merkle node (" + std::to_string(level) +
                                                           ", " + std::to_string(index) + ")"));
  if (value.size() != crypto::kDigestBytes) return Status::Corruption("Merkle node has a bad size");
  return GetDigest(value, 0);
}

Result<StoredRecord> Store::LoadRecord(uint64_t leaf_index, uint64_t height) const {
  StoredRecord out;
  EVIDENCE_ASSIGN_OR_RETURN(out.leaf, GetLeaf(leaf_index));
  auto record = ParseRecord(out.leaf);
  if (!record.ok()) {
    return Status::Corruption("leaf " + std::to_string(leaf_index) + ": " + record.status().message());
  }
  out.record = std::move(record).value();
  out.id = RecordId(genesis_.hash(), out.record);
  out.leaf_index = leaf_index;
  out.height = height;
  return out;
}

Result<StoredRecord> Store::GetRecord(const crypto::Digest& record_id) const {
  EVIDENCE_ASSIGN_OR_RETURN(std::string location,
                            Get(RecordKey(record_id), "record " + crypto::DigestHex(record_id)));
  if (location.size() != 16) return Status::Corruption("record index entry has a bad size");
  EVIDENCE_ASSIGN_OR_RETURN(StoredRecord out, LoadRecord(GetU64(location, 0), GetU64(location, 8)));
  if (out.id != record_id) return Status::Corruption("record index points at another record");
  return out;
}

Result<bool> Store::ContainsRecord(const crypto::Digest& record_id) const {
  auto location = Get(RecordKey(record_id), "record");
  if (location.ok()) return true;
  if (location.status().code() == StatusCode::kNotFound) return false;
  return location.status();
}

Status Store::CheckRecordIndexes(const Record& record, const crypto::Digest& id,
                                 uint64_t leaf_index, uint64_t height) const {
  std::string location;
  PutU64(location, leaf_index);
  PutU64(location, height);
  auto stored = Get(RecordKey(id), "record index entry of " + crypto::DigestHex(id));
  if (!stored.ok()) return Status::Corruption("record index: " + stored.status().message());
  if (*stored != location) {
    return Status::Corruption("record index entry of " + crypto::DigestHex(id) +
                              " points elsewhere");
  }
  for (const auto& [index, key] : IndexKeys(record, leaf_index)) {
    auto entry =
        Get(key, std::string(index) + " index entry of leaf " + std::to_string(leaf_index));
    if (!entry.ok()) return Status::Corruption(entry.status().message());
    if (!entry->empty()) {
      return Status::Corruption(std::string(index) + " index entry of leaf " +
                                std::to_string(leaf_index) + " has a value");
    }
  }
  return Status::Ok();
}

Result<Store::KeyCounts> Store::CountKeys() const {
  KeyCounts counts;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    ++counts.total;
    EVIDENCE_RETURN_IF_ERROR(CountKey(key, counts));
  }
  EVIDENCE_RETURN_IF_ERROR(FromLevelDb(it->status(), "reading every key"));
  return counts;
}

Result<std::vector<StoredRecord>> Store::ScanIndex(const std::string& prefix,
                                                   const std::string& from, const std::string& to,
                                                   size_t limit) const {
  std::vector<StoredRecord> out;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options()));
  for (it->Seek(from); it->Valid() && out.size() < limit; it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, prefix.size()) != prefix || (!to.empty() && key >= to)) break;
    if (key.size() < prefix.size() + 8) return Status::Corruption("index key too short");
    uint64_t leaf_index = GetU64(key, key.size() - 8);
    EVIDENCE_ASSIGN_OR_RETURN(StoredRecord stored, GetRecordAt(leaf_index));
    // A damaged entry could name another record's leaf: answer only records
    // whose own index keys include this one.
    bool indexed_here = false;
    for (const auto& [unused, own_key] : IndexKeys(stored.record, leaf_index))
      indexed_here |= own_key == key;
    if (!indexed_here) {
      return Status::Corruption("an index entry names leaf " + std::to_string(leaf_index) +
                                ", which does not belong to it");
    }
    out.push_back(std::move(stored));
  }
  EVIDENCE_RETURN_IF_ERROR(FromLevelDb(it->status(), "scanning an index"));
  return out;
}

Result<std::vector<uint64_t>> Store::ScanLeafIndexes(const std::string& prefix,
                                                     const std::string& from,
                                                     const std::string& to, size_t limit) const {
  std::vector<uint64_t> out;
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options()));
  for (it->Seek(from); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, prefix.size()) != prefix || (!to.empty() && key >= to)) break;
    if (key.size() < prefix.size() + 8) return Status::Corruption("index key too short");
    if (out.size() == limit) {
      return Status::ResourceExhausted("more than " + std::to_string(limit) + " records");
    }
    out.push_back(GetU64(key, key.size() - 8));
  }
  EVIDENCE_RETURN_IF_ERROR(FromLevelDb(it->status(), "scanning an index"));
  return out;
}

Result<StoredRecord> Store::GetRecordAt(uint64_t leaf_index) const {
  if (leaf_index >= head().size) {
    return Status::NotFound("no leaf " + std::to_string(leaf_index) + " in the log");
  }
  EVIDENCE_ASSIGN_OR_RETURN(std::string leaf, GetLeaf(leaf_index));
  auto record = ParseRecord(leaf);
  if (!record.ok()) return Status::Corruption("leaf " + std::to_string(leaf_index) + " is damaged");
  StoredRecord out;
  out.id = RecordId(genesis_.hash(), *record);
  EVIDENCE_ASSIGN_OR_RETURN(std::string location,
                            Get(RecordKey(out.id), "record " + crypto::DigestHex(out.id)));
  if (location.size() != 16 || GetU64(location, 0) != leaf_index) {
    return Status::Corruption("the record index does not point back at leaf " +
                              std::to_string(leaf_index));
  }
  out.record = std::move(record).value();
  out.leaf = std::move(leaf);
  out.leaf_index = leaf_index;
  out.height = GetU64(location, 8);
  return out;
}

Result<std::vector<StoredRecord>> Store::RecordsByDigest(std::string_view digest, size_t limit) const {
  EVIDENCE_ASSIGN_OR_RETURN(DocumentDigest d, ParseDocumentDigest(digest));
  std::string prefix = DigestPrefix(d);
  return ScanIndex(prefix, prefix, "", limit);
}

Result<std::vector<StoredRecord>> Store::RecordsByCase(std::string_view case_id, size_t limit,
                                                       std::optional<uint64_t> after) const {
  std::string prefix = CasePrefix(case_id);
  std::string from = prefix;
  if (after) PutU64(from, *after + 1);
  return ScanIndex(prefix, from, "", limit);
}

Result<std::vector<uint64_t>> Store::CaseLeafIndexes(std::string_view case_id,
                                                     size_t limit) const {
  std::string prefix = CasePrefix(case_id);
  return ScanLeafIndexes(prefix, prefix, "", limit);
}

Result<std::vector<uint64_t>> Store::AgencyLeafIndexes(std::string_view agency, int64_t from_ms,
                                                       int64_t to_ms, size_t limit) const {
  if (to_ms <= from_ms) return std::vector<uint64_t>{};
  std::string prefix = AgencyPrefix(agency);
  std::string from = prefix;
  PutU64(from, OrderedTime(from_ms));
  std::string to = prefix;
  PutU64(to, OrderedTime(to_ms));
  return ScanLeafIndexes(prefix, from, to, limit);
}

Result<std::vector<StoredRecord>> Store::RecordsByAgency(std::string_view agency, int64_t from_ms,
                                                         int64_t to_ms, size_t limit) const {
  std::string prefix = AgencyPrefix(agency);
  std::string from = prefix;
  PutU64(from, OrderedTime(from_ms));
  std::string to = prefix;
  PutU64(to, OrderedTime(to_ms));
  if (to_ms <= from_ms) return std::vector<StoredRecord>{};
  return ScanIndex(prefix, from, to, limit);
}

Result<std::vector<crypto::Digest>> Store::InclusionProof(uint64_t index, uint64_t size) const {
  if (size > head().size || index >= size) {
    return Status::InvalidArgument("no leaf " + std::to_string(index) + " in a log of size " +
                                   std::to_string(size) + " (head size " +
                                   std::to_string(head().size) + ")");
  }
  auto subtree = [this](uint64_t begin, uint64_t end) -> Result<crypto::Digest> {
    uint64_t width = end - begin;
    return GetNode(static_cast<uint32_t>(std::countr_zero(width)), begin / width);
  };
  return crypto::MakeInclusionProof(crypto::MerkleHasher(genesis_.hash()), subtree, index, size);
}

Result<std::vector<crypto::Digest>> Store::ConsistencyProof(uint64_t old_size,
                                                            uint64_t new_size) const {
  if (new_size > head().size || old_size > new_size) {
    return Status::InvalidArgument("no consistency proof from " + std::to_string(old_size) +
                                   " to " + std::to_string(new_size) + " (head size " +
                                   std::to_string(head().size) + ")");
  }
  auto subtree = [this](uint64_t begin, uint64_t end) -> Result<crypto::Digest> {
    uint64_t width = end - begin;
    return GetNode(static_cast<uint32_t>(std::countr_zero(width)), begin / width);
  };
  return crypto::MakeConsistencyProof(crypto::MerkleHasher(genesis_.hash()), subtree, old_size,
                                      new_size);
}

Result<crypto::CompactRange> Store::LoadRange(uint64_t size) const {
  std::vector<crypto::Digest> frontier;
  uint64_t offset = 0;
  for (int level = 63; level >= 0; --level) {
    uint64_t width = uint64_t{1} << level;
    if ((size & width) == 0) continue;
    EVIDENCE_ASSIGN_OR_RETURN(crypto::Digest node, GetNode(level, offset >> level));
    frontier.push_back(node);
    offset += width;
  }
  auto range = crypto::CompactRange::FromFrontier(crypto::MerkleHasher(genesis_.hash()), size,
                                                  std::move(frontier));
  if (!range.ok()) return Status::Corruption("log frontier: " + range.status().message());
  return range;
}

Result<crypto::Digest> Store::RootAt(uint64_t size) const {
  if (size > head().size) return Status::InvalidArgument("size beyond the head");
  EVIDENCE_ASSIGN_OR_RETURN(crypto::CompactRange range, LoadRange(size));
  return range.Root();
}

}  // namespace evidence::ledger
