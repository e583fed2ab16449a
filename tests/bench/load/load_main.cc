// evidence-load: see load.h and docs/performance.md.
//
//   evidence-load prepare --genesis G --agency A --key K --records N [--batch B]
//                         --out BODIES [--digests DIGESTS]
//   evidence-load run  --url URL[,URL...] --bodies BODIES [--batches] [--connections C]
//                      [--rate RECORDS_PER_S]
//   evidence-load etcd --url URL[,URL...] --puts N --value-bytes S [--connections C]
//                      [--rate PUTS_PER_S]
//   evidence-load get  --url URL --digests DIGESTS [--requests N] [--connections C]
// prepare prints {"records","bodies","record_jcs_bytes"}; the others print one
// JSON summary line (SummaryJson). Exit 1 on failure, 2 on bad arguments.
#include <CLI/CLI.hpp>

#include <boost/json/serialize.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "common/encoding.h"
#include "load.h"

namespace evidence::load {
namespace {

struct Arguments {
  PrepareOptions prepare;
  std::string urls;
  std::string bodies_path;
  std::string digests_path;
  bool batches = false;
  size_t connections = 8;
  double rate = 0;
  size_t puts = 0;
  size_t value_bytes = 0;
  size_t requests = 0;
};

Result<std::vector<std::string>> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  if (lines.empty()) return Status::InvalidArgument(path + " is empty");
  return lines;
}

Result<std::vector<Endpoint>> ParseUrls(const std::string& urls) {
  std::vector<Endpoint> endpoints;
  std::stringstream stream(urls);
  std::string url;
  while (std::getline(stream, url, ',')) {
    EVIDENCE_ASSIGN_OR_RETURN(Endpoint endpoint, ParseUrl(url));
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

Result<std::vector<Request>> RecordRequests(const Arguments& a) {
  EVIDENCE_ASSIGN_OR_RETURN(std::vector<std::string> bodies, ReadLines(a.bodies_path));
  std::vector<Request> requests;
  for (std::string& body : bodies) {
    size_t records = 1;
    if (a.batches) {
      records = 0;
      for (size_t at = body.find("\"sig\":"); at != std::string::npos; at = body.find("\"sig\":", at + 1)) {
        ++records;
      }
    }
    requests.push_back({true, a.batches ? "/v1/batches" : "/v1/records", std::move(body), records});
  }
  return requests;
}

std::vector<Request> EtcdRequests(const Arguments& a) {
  std::vector<Request> requests;
  const std::string value = Base64Encode(Bytes(a.value_bytes, 'v'));
  for (size_t i = 0; i < a.puts; ++i) {
    std::string key = "bench/" + std::to_string(i);
    boost::json::object body;
    body["key"] = Base64Encode(Bytes(key.begin(), key.end()));
    body["value"] = value;
    requests.push_back({true, "/v3/kv/put", boost::json::serialize(body), 1});
  }
  return requests;
}

Result<std::vector<Request>> GetRequests(const Arguments& a) {
  EVIDENCE_ASSIGN_OR_RETURN(std::vector<std::string> digests, ReadLines(a.digests_path));
  std::vector<Request> requests;
  size_t count = a.requests == 0 ? digests.size() : a.requests;
  for (size_t i = 0; i < count; ++i) {
    requests.push_back({false, "/v1/digests/" + digests[i % digests.size()], "", 1});
  }
  return requests;
}

int Load(const std::string& mode, const Arguments& a, Result<std::vector<Request>> requests,
         bool track_commits) {
  Result<std::vector<Endpoint>> endpoints = ParseUrls(a.urls);
  if (!endpoints.ok() || !requests.ok()) {
    std::cerr << "evidence-load: "
              << (endpoints.ok() ? requests.status() : endpoints.status()).ToString() << "\n";
    return 1;
  }
  LoadOptions options;
  options.endpoints = std::move(*endpoints);
  options.connections = a.connections;
  options.offered_records_per_second = a.rate;
  options.track_commits = track_commits;
  Result<LoadSummary> summary = RunLoad(options, *requests);
  if (!summary.ok()) {
    std::cerr << "evidence-load: " << summary.status().ToString() << "\n";
    return 1;
  }
  std::cout << SummaryJson(mode, *summary) << std::endl;
  return 0;
}

int RunPrepare(const Arguments& a) {
  Result<PrepareSummary> summary = Prepare(a.prepare);
  if (!summary.ok()) {
    std::cerr << "evidence-load: " << summary.status().ToString() << "\n";
    return 1;
  }
  boost::json::object json;
  json["records"] = summary->records;
  json["bodies"] = summary->bodies;
  json["record_jcs_bytes"] = summary->record_jcs_bytes;
  std::cout << boost::json::serialize(json) << std::endl;
  return 0;
}

void AddLoadOptions(CLI::App* command, Arguments& a) {
  command->add_option("--url", a.urls, "http://host:port[,http://host:port...]")->required();
  command->add_option("--connections", a.connections, "keep-alive connections")
      ->check(CLI::Range(1, 512));
  command->add_option("--rate", a.rate, "offered records (puts) per second; 0: as fast as possible");
}

}  // namespace
}  // namespace evidence::load

int main(int argc, char** argv) {
  using namespace evidence::load;
  Arguments a;
  CLI::App app{"evidence-load: load generator for scripts/bench.sh"};
  app.require_subcommand(1);
  auto* prepare = app.add_subcommand("prepare", "sign records for a chain, one HTTP body a line");
  prepare->add_option("--genesis", a.prepare.genesis_path)->required();
  prepare->add_option("--agency", a.prepare.agency)->required();
  prepare->add_option("--key", a.prepare.key_path)->required();
  prepare->add_option("--records", a.prepare.records)->required()->check(CLI::PositiveNumber);
  prepare->add_option("--batch", a.prepare.batch, "records per batch (0: single records)")
      ->check(CLI::Range(0, 10000));
  prepare->add_option("--out", a.prepare.out_path)->required();
  prepare->add_option("--digests", a.prepare.digests_path, "write the document digests here");
  auto* run = app.add_subcommand("run", "post prepared bodies and measure commits");
  AddLoadOptions(run, a);
  run->add_option("--bodies", a.bodies_path)->required();
  run->add_flag("--batches", a.batches, "the bodies are batches (POST /v1/batches)");
  auto* etcd = app.add_subcommand("etcd", "puts through the etcd v3 HTTP gateway");
  AddLoadOptions(etcd, a);
  etcd->add_option("--puts", a.puts)->required()->check(CLI::PositiveNumber);
  etcd->add_option("--value-bytes", a.value_bytes)->required()->check(CLI::PositiveNumber);
  auto* get = app.add_subcommand("get", "GET /v1/digests/... (proof serving)");
  AddLoadOptions(get, a);
  get->add_option("--digests", a.digests_path)->required();
  get->add_option("--requests", a.requests, "requests (default: one per digest)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  if (*prepare) return RunPrepare(a);
  if (*run) return Load(a.batches ? "batches" : "records", a, RecordRequests(a), true);
  if (*etcd) return Load("etcd", a, EtcdRequests(a), false);
  return Load("get", a, GetRequests(a), false);
}
