// evidence-store-damage: damages one entry of a stopped node's store, as a bad
// disk or a careless hand would, for the damaged-store e2e test
// (storage_faults_test.py). It writes through LevelDB, so every checksum stays
// valid: only the ledger's own checks can find the damage. Keys as in
// docs/storage-format.md.
//
//   evidence-store-damage --store DIR block HEIGHT      a byte of the block's header
//   evidence-store-damage --store DIR index RECORD_ID   the record's id index names the next leaf
//   evidence-store-damage --store DIR node LEVEL INDEX  a byte of a stored Merkle node
//
// Exit 0 when the entry was found and changed, 1 otherwise (the reason on stderr).
#include <leveldb/db.h>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include "common/encoding.h"

namespace {

std::string U64(uint64_t value) {
  std::string out;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  return out;
}

uint64_t ReadU64(const std::string& in, size_t at) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(in[at + i]);
  return value;
}

int Fail(const std::string& why) {
  std::cerr << "evidence-store-damage: " << why << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Damages one entry of a stopped node's store (tests only)."};
  std::string store_dir;
  app.add_option("--store", store_dir, "the store directory (DATA_DIR/store)")->required();
  uint64_t height = 0;
  std::string record_id_hex;
  uint64_t level = 0;
  uint64_t index = 0;
  auto* block = app.add_subcommand("block", "a byte of the block's header");
  block->add_option("height", height)->required();
  auto* record_index = app.add_subcommand("index", "the record's id index names the next leaf");
  record_index->add_option("record_id", record_id_hex)->required();
  auto* node = app.add_subcommand("node", "a byte of a stored Merkle node");
  node->add_option("level", level)->required()->check(CLI::Range(0, 63));
  node->add_option("index", index)->required();
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);

  std::string key;
  if (*block) {
    key = "b" + U64(height);
  } else if (*record_index) {
    auto id = evidence::HexDecode(record_id_hex);
    if (!id.ok() || id->size() != 32) return Fail("a record id is 64 hex digits");
    key = "r" + std::string(id->begin(), id->end());
  } else {
    key = "n" + std::string(1, static_cast<char>(level)) + U64(index);
  }

  leveldb::DB* raw = nullptr;
  leveldb::Options options;
  leveldb::Status status = leveldb::DB::Open(options, store_dir, &raw);
  if (!status.ok()) return Fail("cannot open " + store_dir + ": " + status.ToString());
  std::unique_ptr<leveldb::DB> db(raw);
  std::string value;
  status = db->Get(leveldb::ReadOptions(), key, &value);
  if (!status.ok()) return Fail("no such entry: " + status.ToString());
  if (*block) {
    // u64 first leaf, u64 leaf count, then cereal's portable archive: one
    // byte of endianness, the header's chain id (u32 length, characters). Its
    // second character changes.
    constexpr size_t kChainIdSecondCharacter = 16 + 1 + 4 + 1;
    if (value.size() <= kChainIdSecondCharacter) return Fail("the block entry is too short");
    value[kChainIdSecondCharacter] ^= 0x01;
  } else if (*record_index) {
    if (value.size() != 16) return Fail("the record index entry is not 16 bytes");
    value = U64(ReadU64(value, 0) + 1) + value.substr(8);
  } else {
    if (value.size() != 32) return Fail("the Merkle node is not 32 bytes");
    value[0] ^= 0x01;
  }
  leveldb::WriteOptions sync;
  sync.sync = true;
  status = db->Put(sync, key, value);
  if (!status.ok()) return Fail("cannot write: " + status.ToString());
  std::cout << "damaged " << (*block ? "block" : *record_index ? "record index" : "Merkle node")
            << " entry\n";
  return 0;
}
