// evidence-verify-server: the ceiling of single-record ingest over HTTP on this
// machine, measured with the node's own HTTP stack (api::ApiServer: Beast, the
// strict JSON parser, the router and handlers) but nothing behind it. Each
// POST /v1/records is parsed and checked exactly as a node admits it
// (ledger::RecordFromJson, ledger::CheckRecord: every genesis rule and the
// signature) and answered 202; there is no mempool, block, vote, WAL or store.
// GET /v1/status reports the records accepted so far as `tree_size`, so
// evidence-load measures it the way it measures a node. scripts/bench.sh runs it
// beside the single node: no node can ingest single records faster than this.
//
//   evidence-verify-server --genesis G --listen 127.0.0.1:PORT [--threads N]
//
// Prints "listening PORT" once it accepts connections; stops on SIGINT/SIGTERM.
#include <CLI/CLI.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>

#include "api/http/api_server.h"
#include "api/http/node_service.h"
#include "common/clock.h"
#include "crypto/hash.h"
#include "ledger/genesis.h"
#include "ledger/governance_state.h"
#include "ledger/record.h"
#include "ledger/validation.h"

namespace evidence::load {
namespace {

Status NotServed() { return Status::NotFound("evidence-verify-server only accepts records"); }

class VerifyOnlyService : public api::NodeService {
 public:
  explicit VerifyOnlyService(const ledger::Genesis& genesis)
      : genesis_(genesis), state_(ledger::GovernanceState::FromGenesis(genesis)) {}

  Result<api::SubmitOutcome> SubmitRecord(const boost::json::object& record_json,
                                          const api::SubmitOptions&,
                                          boost::json::object*) override {
    Result<ledger::Record> record = ledger::RecordFromJson(boost::json::value(record_json));
    if (!record.ok()) return record.status();
    Status checked = ledger::CheckRecord(*state_, *record, WallClockMs());
    if (!checked.ok()) return checked;
    accepted_.fetch_add(1, std::memory_order_relaxed);
    api::SubmitOutcome outcome;
    outcome.id = crypto::DigestHex(ledger::RecordId(genesis_.hash(), *record));
    return outcome;
  }

  Result<api::BatchOutcome> SubmitBatch(const boost::json::object&, const api::SubmitOptions&,
                                        boost::json::object*) override {
    return NotServed();
  }
  Result<api::RecordView> GetRecord(std::string_view) override { return NotServed(); }
  Result<std::vector<api::RecordView>> FindByDigest(std::string_view,
                                                       std::string_view) override {
    return NotServed();
  }
  std::optional<api::Reader> FindReader(std::string_view) override { return std::nullopt; }
  Result<api::CaseTrail> GetCase(std::string_view) override { return NotServed(); }
  Result<boost::json::object> SupervisionReport(const api::SupervisionReportQuery&) override {
    return NotServed();
  }
  Result<boost::json::value> GetBlock(uint64_t, api::BlockDetail) override { return NotServed(); }
  Result<api::BlockPage> ListBlocks(uint64_t, uint64_t, api::BlockDetail) override {
    return NotServed();
  }
  Result<api::BlockPage> ListGovernanceBlocks(uint64_t, uint64_t) override {
    return NotServed();
  }
  Result<api::TimestampAnswer> GetTimestamp(std::string_view, std::string_view) override {
    return NotServed();
  }
  Result<std::string> GetCheckpoint() override { return NotServed(); }
  Status AddCosignature(std::string_view) override { return NotServed(); }
  Result<boost::json::object> AddAnchor(std::string_view) override { return NotServed(); }
  Result<boost::json::object> ListAnchors(uint64_t) override { return NotServed(); }
  std::string GetGenesisJson() override { return genesis_.ToJson(); }
  Result<api::TreeHead> GetTreeHead() override { return NotServed(); }
  Result<std::vector<std::string>> GetConsistencyProof(uint64_t, uint64_t) override {
    return NotServed();
  }
  Result<api::GovernanceOutcome> SubmitGovernance(const boost::json::object&,
                                                  const api::SubmitOptions&) override {
    return NotServed();
  }
  boost::json::object GetGovernance() override {
    const ledger::GovernanceStatePtr state = ledger::GovernanceState::FromGenesis(genesis_);
    return {{"height", 1}, {"state_hash", crypto::DigestHex(state->Hash())},
            {"register", state->ToJson()}};
  }
  boost::json::object GetStatus() override {
    return {{"chain_id", genesis_.chain_id()},
            {"tree_size", accepted_.load(std::memory_order_relaxed)},
            {"verify_only", true}};
  }
  api::Readiness GetReadiness() override { return {true, ""}; }
  uint64_t WatchCommit(std::string_view, CommitCallback) override { return 0; }
  void CancelCommitWatch(uint64_t) override {}

 private:
  const ledger::Genesis& genesis_;
  const ledger::GovernanceStatePtr state_;
  std::atomic<uint64_t> accepted_{0};
};

int Main(int argc, char** argv) {
  CLI::App app{"HTTP record ingest with signature checks and nothing behind them "
               "(the ceiling for evidence-node's single-record ingest on this machine)"};
  std::string genesis_path, listen;
  size_t threads = 2;  // evidence-node's [api] threads default
  app.add_option("--genesis", genesis_path, "genesis.json of the chain the records are for")
      ->required()->check(CLI::ExistingFile);
  app.add_option("--listen", listen, "HOST:PORT to listen on (PORT 0: any free port)")
      ->required();
  app.add_option("--threads", threads, "HTTP threads, as evidence-node's [api] threads")
      ->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);

  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "error: --listen must be HOST:PORT\n";
    return 2;
  }
  Result<ledger::Genesis> genesis = ledger::Genesis::Load(genesis_path);
  if (!genesis.ok()) {
    std::cerr << "error: " << genesis.status().message() << "\n";
    return 1;
  }
  VerifyOnlyService service(*genesis);
  api::ApiServerOptions options;
  options.server.address = listen.substr(0, colon);
  try {
    options.server.port = static_cast<uint16_t>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    std::cerr << "error: --listen has no valid port\n";
    return 2;
  }
  options.server.threads = threads;
  options.handlers.agency_records_per_second = 0;  // measure the checks, not the limiter
  api::ApiServer server(service, options);
  Result<uint16_t> port = server.Start();
  if (!port.ok()) {
    std::cerr << "error: " << port.status().message() << "\n";
    return 1;
  }
  std::cout << "listening " << *port << std::endl;
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});
  signals_io.run();
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace evidence::load

int main(int argc, char** argv) { return evidence::load::Main(argc, argv); }
