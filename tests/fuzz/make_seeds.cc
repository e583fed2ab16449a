// fuzz-seeds: writes the seed corpora of the fuzz targets (tests/fuzz/corpus/)
// from the fixed test chain, so every seed is a valid input of its decoder
// (plus a few near misses) and the fuzzers start deep inside the formats.
// Deterministic: the same build writes the same bytes (fixed Ed25519 keys,
// fixed P-256 and SM2 public keys).
//
//   fuzz-seeds DIRECTORY     (writes DIRECTORY/<target>/<seed name>)
//
// Run it again when a format changes (scripts/fuzz.sh --seeds does).
#include <boost/json.hpp>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/check.h"
#include "crypto/hash.h"
#include "crypto/note.h"
#include "ledger/json.h"
#include "ledger/receipt.h"
#include "ledger/store.h"
#include "node/consensus/core.h"
#include "node/consensus/key_signer.h"
#include "node/consensus/types.h"
#include "node/messages.h"
#include "node/p2p/frame.h"
#include "node/wal.h"
#include "tests/fuzz/consensus_fuzz.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace evidence;
namespace fs = std::filesystem;

// Public keys for the genesis seeds of the other two signature algorithms.
constexpr std::string_view kP256Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESt02UAPr8+a/QcSJUXY5Br8SSxR5\n"
    "O4Nqajui32SB/rNQqERrXD76n0n5fEGct/gom5iVPmrh5zk7QO3JI4bVeA==\n"
    "-----END PUBLIC KEY-----\n";
constexpr std::string_view kSm2Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE01uUR9g7H+svZJpcgq5tPy8ZB6dx\n"
    "IsxzX5FLlMLSjGvPctjGHM2M+cdRwXWK7+1zbm4qg8DVXV02Ax6jF9t7HQ==\n"
    "-----END PUBLIC KEY-----\n";

class Writer {
 public:
  explicit Writer(fs::path root) : root_(std::move(root)) {}
  void Put(const std::string& target, const std::string& name, std::string_view bytes) {
    fs::create_directories(root_ / target);
    std::ofstream out(root_ / target / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EVIDENCE_CHECK(out.good());
    ++written_;
  }
  void Put(const std::string& target, const std::string& name, const Bytes& bytes) {
    Put(target, name, AsStringView(bytes));
  }
  int written() const { return written_; }

 private:
  fs::path root_;
  int written_ = 0;
};

std::string Json(const boost::json::value& value) { return boost::json::serialize(value); }

std::vector<ledger::Record> AllRecords() {
  std::vector<ledger::Record> records;
  for (const fuzz::FixedStep& step : fuzz::FixedHistory()) {
    for (const std::string& leaf : step.block.leaves) {
      auto record = ledger::ParseRecord(leaf);
      EVIDENCE_CHECK(record.ok());
      records.push_back(*record);
    }
  }
  return records;
}

void JsonSeeds(Writer& w) {
  w.Put("strict_json", "record", fuzz::FixedHistory()[0].block.leaves[0]);
  w.Put("strict_json", "nested",
        R"({"a":[1,-2,{"b":[true,false,null]}],"c":"\u00e9\ud83d\ude00\n"})");
  w.Put("strict_json", "limits", "[9007199254740991,-9007199254740991,0,\"\"]");
  w.Put("strict_json", "duplicate", R"({"a":1,"a":2})");
  w.Put("strict_json", "float", "[1.5,2e3]");
  w.Put("strict_json", "deep", "[[[[[[[[[1]]]]]]]]]");
}

void RecordSeeds(Writer& w) {
  const auto records = AllRecords();
  w.Put("record", "single", ledger::RecordLeaf(records[0]));
  w.Put("record", "other_agency", ledger::RecordLeaf(records[1]));
  w.Put("record", "batched", ledger::RecordLeaf(records[2]));
  ledger::Record linked = records[1];
  linked.links = {crypto::DigestHex(ledger::RecordId(crypto::HashAlgorithm::kSha256, records[0]))};
  w.Put("record", "with_link_bad_signature", ledger::RecordLeaf(linked));
  w.Put("record", "pretty", boost::json::serialize(ledger::RecordToJson(records[0])) + "\n");

  boost::json::array batch;
  for (size_t i = 2; i < records.size(); ++i) batch.push_back(ledger::RecordToJson(records[i]));
  w.Put("batch", "three", Json(boost::json::object{{"records", batch}}));
  batch.resize(1);
  w.Put("batch", "one_of_three", Json(boost::json::object{{"records", batch}}));
}

void ReceiptSeeds(Writer& w, const std::string& scratch) {
  const auto& chain = fuzz::FixedChain();
  auto store = ledger::Store::Open(scratch + "/store", chain.genesis());
  EVIDENCE_CHECK(store.ok());
  for (const fuzz::FixedStep& step : fuzz::FixedHistory()) {
    EVIDENCE_CHECK((*store)->Append(step.block, step.commit).ok());
  }
  const auto records = AllRecords();
  for (size_t i = 0; i < records.size(); ++i) {
    auto receipt = ledger::BuildReceipt(**store, ledger::RecordId(chain.hash(), records[i]));
    EVIDENCE_CHECK(receipt.ok());
    w.Put("receipt", "record" + std::to_string(i), ledger::ReceiptToText(*receipt));
    if (i == 0) w.Put("strict_json", "receipt", ledger::ReceiptToText(*receipt));
  }
}

void BlockSeeds(Writer& w) {
  const auto& history = fuzz::FixedHistory();
  for (size_t i = 0; i < history.size(); ++i) {
    const std::string height = std::to_string(i + 1);
    w.Put("block", "block" + height, ledger::EncodeBlock(history[i].block));
    w.Put("block", "commit" + height, ledger::EncodeCommitBinary(history[i].commit));
  }
}

// Messages of every kind, signed with the fixed validator keys.
std::vector<node::PeerMessage> PeerMessages() {
  const auto& chain = fuzz::FixedChain();
  const auto& history = fuzz::FixedHistory();
  const std::string& chain_id = chain.genesis().chain_id();
  std::vector<node::PeerMessage> messages;
  consensus::KeySigner signer(chain.validator_key(1));
  consensus::Proposal proposal;
  proposal.height = 1;
  proposal.round = 0;
  proposal.block = ledger::EncodeBlock(history[0].block);
  proposal.block_hash = ledger::BlockHash(chain.hash(), history[0].block.header);
  proposal.timestamp_ms = chain.genesis().genesis_time_ms();
  proposal.proposer_index = 1;
  proposal.signature = signer.Sign(consensus::ProposalSigningBytes(chain_id, proposal));
  messages.emplace_back(consensus::Message(proposal));
  ledger::Vote vote{ledger::VoteType::kPrevote, 1, 0, proposal.block_hash,
                    proposal.timestamp_ms + 5,  1, {}};
  vote.signature = signer.Sign(ledger::VoteSigningBytes(chain_id, vote));
  messages.emplace_back(consensus::Message(vote));
  consensus::DecidedBlock decided{ledger::EncodeBlock(history[0].block), history[0].commit};
  messages.emplace_back(consensus::Message(decided));
  messages.emplace_back(consensus::Message(consensus::BlockRequest{2}));
  messages.emplace_back(node::RecordsGossip{history[0].block.leaves});
  messages.emplace_back(node::StatusMessage{3});
  messages.emplace_back(node::SyncRequest{1, 3});
  node::SyncResponse response;
  for (const fuzz::FixedStep& step : history) {
    response.blocks.push_back({ledger::EncodeBlock(step.block), step.commit});
  }
  messages.emplace_back(response);
  return messages;
}

void PeerSeeds(Writer& w) {
  const char* names[] = {"proposal", "vote",   "decided",      "block_request",
                         "gossip",   "status", "sync_request", "sync_response"};
  const auto messages = PeerMessages();
  Bytes stream;
  for (size_t i = 0; i < messages.size(); ++i) {
    Bytes frame = node::p2p::EncodeFrame(node::EncodePeerMessage(messages[i]));
    w.Put("p2p_frames", names[i], frame);
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  w.Put("p2p_frames", "all_in_one_stream", stream);
}

consensus::PersistedState SignerState() {
  const auto& chain = fuzz::FixedChain();
  const auto& history = fuzz::FixedHistory();
  consensus::KeySigner signer(chain.validator_key(0));
  consensus::PersistedState state;
  state.height = 1;
  state.round = 1;
  state.step = 3;
  state.locked_round = 0;
  state.locked_hash = ledger::BlockHash(chain.hash(), history[0].block.header);
  state.locked_block = ledger::EncodeBlock(history[0].block);
  state.valid_round = 0;
  state.valid_hash = state.locked_hash;
  for (uint32_t round = 0; round < 2; ++round) {
    for (auto type : {ledger::VoteType::kPrevote, ledger::VoteType::kPrecommit}) {
      ledger::Vote vote{
          type, 1, round, state.locked_hash, chain.genesis().genesis_time_ms() + round, 0, {}};
      vote.signature = signer.Sign(ledger::VoteSigningBytes(chain.genesis().chain_id(), vote));
      state.own_votes.push_back(vote);
      if (type == ledger::VoteType::kPrevote && round == 0) state.polka_votes.push_back(vote);
    }
  }
  return state;
}

void WalSeeds(Writer& w, const std::string& scratch) {
  const consensus::PersistedState state = SignerState();
  consensus::PersistedState empty;
  empty.height = 2;
  empty.round = 0;
  empty.step = 2;
  w.Put("persisted_state", "locked", consensus::EncodePersistedState(state));
  w.Put("persisted_state", "prevoted", consensus::EncodePersistedState(empty));

  const std::string path = scratch + "/seed.wal";
  {
    node::WalReplay replay;
    auto wal = node::Wal::Open(path, &replay);
    EVIDENCE_CHECK(wal.ok());
    EVIDENCE_CHECK((*wal)->Append(1, consensus::EncodePersistedState(state)).ok());
    EVIDENCE_CHECK((*wal)->Append(2, consensus::EncodePersistedState(empty)).ok());
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  w.Put("wal", "two_records", bytes);
  w.Put("wal", "torn_tail", bytes.substr(0, bytes.size() - 5));
  w.Put("wal", "header_only", bytes.substr(0, node::Wal::kHeaderBytes));
}

void GenesisSeeds(Writer& w) {
  const auto& genesis = fuzz::FixedChain().genesis();
  w.Put("genesis", "fixed", genesis.ToJson());
  w.Put("strict_json", "genesis", genesis.ToJson());
  auto p256 = crypto::PublicKey::FromPem(kP256Pem);
  auto sm2 = crypto::PublicKey::FromPem(kSm2Pem);
  EVIDENCE_CHECK(p256.ok() && sm2.ok());
  std::vector<ledger::GenesisValidator> validators = genesis.validators();
  validators[0].vote_key = *sm2;
  validators[1].vote_key = *p256;
  validators[2].power = 3;
  std::vector<ledger::GenesisAgency> agencies = genesis.agencies();
  agencies[0].keys.push_back(*sm2);
  std::vector<ledger::GenesisReader> readers = genesis.readers();
  readers.push_back({"procurator", "procuratorate", std::nullopt, *p256});
  auto mixed = ledger::Genesis::Create("gm-chain", genesis.genesis_time_ms(),
                                       crypto::HashAlgorithm::kSm3, validators, agencies, readers);
  EVIDENCE_CHECK_MSG(mixed.ok(), mixed.status().ToString().c_str());
  w.Put("genesis", "sm3_sm2_p256", mixed->ToJson());
}

void ConfigSeeds(Writer& w) {
  w.Put("node_config", "full", R"([node]
name = "court"
genesis = "genesis.json"
data_dir = "data"
vote_key = "vote.pem"
node_key = "node.pem"

[p2p]
listen = "0.0.0.0:8801"
peers = { procuratorate = "10.1.2.3:8801" }

[api]
listen = "127.0.0.1:8701"
threads = 2
wait_timeout_ms = 30000
agency_records_per_second = 1000
agency_burst_records = 10000

[mempool]
records_max = 100000
bytes_max = 268435456
verify_threads = 0

[block]
records_max = 2000
bytes_max = 4194304
interval_ms = 20

[consensus]
timeout_propose_ms = 3000
timeout_propose_delta_ms = 500
timeout_vote_ms = 1000
timeout_vote_delta_ms = 500
retransmit_interval_ms = 2000

[records]
future_skew_ms = 300000
past_window_ms = 604800000

[log]
level = "info"
json = false
)");
  w.Put("node_config", "minimal",
        "[node]\ngenesis = \"/etc/evidence/genesis.json\"\ndata_dir = \"/var/lib/evidence\"\n"
        "node_key = \"node.pem\"\n");
}

void HttpSeeds(Writer& w) {
  const auto records = AllRecords();
  const auto& chain = fuzz::FixedChain();
  const std::string id = crypto::DigestHex(ledger::RecordId(chain.hash(), records[0]));
  auto request = [](std::string method, std::string target, std::string authorization,
                    std::string body) {
    return method + "\n" + target + "\n" + authorization + "\napplication/json\n" + body;
  };
  w.Put("http_api", "submit", request("POST", "/v1/records", "", ledger::RecordLeaf(records[0])));
  w.Put(
      "http_api", "submit_wait",
      request("POST", "/v1/records?wait=commit&timeout_ms=1", "", ledger::RecordLeaf(records[1])));
  boost::json::array batch;
  for (size_t i = 2; i < records.size(); ++i) batch.push_back(ledger::RecordToJson(records[i]));
  w.Put("http_api", "batch",
        request("POST", "/v1/batches", "", Json(boost::json::object{{"records", batch}})));
  w.Put("http_api", "record", request("GET", "/v1/records/" + id, "", ""));
  const std::string digest = records[0].digest;
  w.Put("http_api", "digest",
        request("GET", "/v1/digests/sha256%3A" + digest.substr(digest.find(':') + 1), "", ""));
  w.Put("http_api", "case",
        request("GET", "/v1/cases/%282026%29%E9%B2%810831%E8%A1%8C%E7%BD%9A1%E5%8F%B7",
                "Bearer court-token", ""));
  w.Put("http_api", "block", request("GET", "/v1/blocks/2", "", ""));
  w.Put("http_api", "blocks", request("GET", "/v1/blocks?from=1&limit=2", "", ""));
  w.Put("http_api", "tree_head", request("GET", "/v1/tree-head", "", ""));
  w.Put("http_api", "consistency", request("GET", "/v1/consistency?from=1&to=5", "", ""));
  w.Put("http_api", "status", request("GET", "/v1/status", "", ""));
  w.Put("http_api", "readyz", request("GET", "/readyz", "", ""));

  w.Put("url", "target", "/v1/records/" + id + "?wait=commit&timeout_ms=500");
  w.Put("url", "encoded", "%282026%29%E9%B2%810831%E8%A1%8C%E5%A4%8D12%E5%8F%B7");
  w.Put("url", "query", "from=1&limit=100&&x=%41");
  w.Put("url", "uint64_max", "18446744073709551615");
}

// The signed-note examples of c2sp.org/signed-note and tlog-cosignature (byte
// for byte, as tests/crypto/note_test.cc pins them), a checkpoint text, a
// verifier key, and a checkpoint the fixed chain's first validator signs.
void NoteSeeds(Writer& w) {
  w.Put("note", "example_note",
        "This is an example message.\n\n\xE2\x80\x94 example.com/foo "
        "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n");
  w.Put("note", "cosigned_checkpoint",
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
        "\xE2\x80\x94 example.com/behind-the-sofa "
        "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
        "\xE2\x80\x94 witness.example.com/w1 "
        "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n");
  w.Put("note", "vkey", "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k\n");
  const crypto::Checkpoint checkpoint{"localnet-sishui", 5, Bytes(32, 0x0a)};
  const std::string text = crypto::EncodeCheckpointText(checkpoint);
  w.Put("note", "checkpoint_text", text);
  const auto& chain = fuzz::FixedChain();
  auto signature = crypto::SignNote(chain.validator_key(0), "localnet-sishui/v0",
                                    crypto::NoteKeyType::kEd25519, text);
  EVIDENCE_CHECK(signature.ok());
  w.Put("note", "signed_checkpoint", crypto::EncodeNote(crypto::Note{text, {*signature}}));
}

// A perfect network of four honest cores deciding heights 1 and 2; the seed is
// what validators 1..3 sent, in order, as the consensus_core target's input
// (validator 0 is the core under test there).
void ConsensusSeeds(Writer& w) {
  constexpr uint32_t kCores = 4;
  fuzz::ByzantineVerifier verifier;
  consensus::testing::FakeBlocks blocks;
  std::vector<std::unique_ptr<consensus::testing::FakeSigner>> signers;
  std::vector<std::unique_ptr<consensus::ConsensusCore>> cores;
  int64_t now_ms = fuzz::kConsensusStartMs;
  for (uint32_t i = 0; i < kCores; ++i) {
    signers.push_back(
        std::make_unique<consensus::testing::FakeSigner>(fuzz::kConsensusKeyBase + i));
    cores.push_back(std::make_unique<consensus::ConsensusCore>(
        fuzz::ConsensusConfig(), fuzz::ConsensusValidatorSets(), signers.back().get(), verifier,
        blocks));
    cores.back()->Start(1, now_ms, now_ms);
    cores.back()->OnRecordsPending(now_ms);
  }
  std::string seed(1, '\x02');                                  // records pending
  std::deque<std::pair<uint32_t, consensus::Message>> network;  // (sender, message)
  for (int steps = 0; steps < 100000; ++steps) {
    bool any = false;
    for (uint32_t i = 0; i < kCores; ++i) {
      for (consensus::Effect& effect : cores[i]->TakeEffects()) {
        any = true;
        if (auto* broadcast = std::get_if<consensus::BroadcastEffect>(&effect)) {
          network.emplace_back(i, std::move(broadcast->message));
        } else if (auto* request = std::get_if<consensus::RequestBlockEffect>(&effect)) {
          cores[i]->OnBlockReady(request->height, fuzz::ConsensusBlock(request->height), now_ms);
        } else if (std::holds_alternative<consensus::CommitEffect>(effect)) {
          cores[i]->OnRecordsPending(now_ms);
        }
      }
    }
    if (!network.empty()) {
      auto [sender, message] = std::move(network.front());
      network.pop_front();
      now_ms += 1;
      for (uint32_t i = 0; i < kCores; ++i) {
        if (i != sender) cores[i]->OnMessage(message, now_ms);
      }
      if (sender != 0) {
        Bytes bytes = consensus::EncodeMessage(message);
        EVIDENCE_CHECK(bytes.size() < 65536);
        seed += '\x00';
        seed += static_cast<char>(bytes.size() >> 8);
        seed += static_cast<char>(bytes.size() & 0xff);
        seed.append(AsStringView(bytes));
      }
      any = true;
    }
    bool done = true;
    for (const auto& core : cores) done = done && core->height() > 2;
    if (done || !any) break;
  }
  for (const auto& core : cores) EVIDENCE_CHECK(core->height() > 2);
  w.Put("consensus_core", "two_honest_heights", seed);
  // A Byzantine proposer's round: timeouts that move validator 0 to round 1.
  w.Put("consensus_core", "timeouts", std::string("\x02\x01\x00\x01\x01\x00\x02\x01\x00\x03", 10));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
    return 2;
  }
  Writer w{fs::path(argv[1])};
  const std::string scratch = fuzz::ScratchDirectory();
  JsonSeeds(w);
  RecordSeeds(w);
  ReceiptSeeds(w, scratch);
  BlockSeeds(w);
  PeerSeeds(w);
  WalSeeds(w, scratch);
  GenesisSeeds(w);
  ConfigSeeds(w);
  HttpSeeds(w);
  NoteSeeds(w);
  ConsensusSeeds(w);
  std::printf("fuzz-seeds: wrote %d seeds under %s\n", w.written(), argv[1]);
  return 0;
}
