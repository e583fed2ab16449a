#include "api/http/handlers.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <initializer_list>
#include <memory>

#include "api/http/access.h"
#include "api/http/strict_json.h"
#include "api/http/url.h"
#include "common/limits.h"
#include "common/metrics.h"
#include "common/time_text.h"
#include "crypto/hash.h"
#include "crypto/note.h"

namespace evidence::api {

namespace asio = boost::asio;
namespace {

// A cosigned checkpoint (POST /v1/cosignatures) is one signed note.
constexpr size_t kCosignatureBytesMax = crypto::kNoteBytesMax;
// An anchor (POST /v1/anchors): a tree size and the base64 of a TimeStampResp of
// at most 16 KiB (node/anchors.h kAnchorRequestBytesMax).
constexpr size_t kAnchorBytesMax = 32 * 1024;
// A POST /v1/governance body: the action's JCS bound, with room for indentation.
constexpr size_t kGovernanceBodyBytesMax = 4 * limits::kGovernanceActionBytesMax;

using Query = std::vector<std::pair<std::string, std::string>>;

HttpResponse Json(int status, const boost::json::value& value) {
  HttpResponse response;
  response.status = status;
  response.body = boost::json::serialize(value);
  return response;
}

HttpResponse Problem(const HttpRequest& request, ProblemType type, std::string detail) {
  return ProblemResponse(MakeError(type, std::move(detail)), InstanceOf(request.target));
}

HttpResponse Problem(const HttpRequest& request, const ApiError& error) {
  return ProblemResponse(error, InstanceOf(request.target));
}

// A refusal of the NodeService (problem.h maps it by its typed reason or code).
HttpResponse Problem(const HttpRequest& request, const Status& status) {
  return Problem(request, ErrorFromStatus(status));
}

// The decoded query, refusing parameters the route does not take.
ApiResult<Query> ReadQuery(const HttpRequest& request,
                           std::initializer_list<std::string_view> allowed) {
  auto target = SplitTarget(request.target);
  if (!target.ok()) return MakeError(ProblemType::kBadRequest, target.status().message());
  auto query = ParseQuery(target->query);
  if (!query.ok()) return MakeError(ProblemType::kBadRequest, query.status().message());
  for (const auto& [name, value] : *query) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return MakeError(ProblemType::kBadRequest,
                       "unknown query parameter '" + name + "'; see /openapi.yaml for this route");
    }
  }
  return std::move(query).value();
}

const std::string* Find(const Query& query, std::string_view name) {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

// An optional unsigned parameter within [min, max].
ApiResult<std::optional<uint64_t>> ReadNumber(const Query& query, std::string_view name,
                                              uint64_t min, uint64_t max) {
  const std::string* text = Find(query, name);
  if (text == nullptr) return std::optional<uint64_t>();
  const std::optional<uint64_t> value = ParseUint64(*text);
  if (!value || *value < min || *value > max) {
    return MakeError(ProblemType::kBadRequest,
                     "'" + std::string(name) + "' must be an integer from " + std::to_string(min) +
                         " to " + std::to_string(max));
  }
  return value;
}

struct WaitSpec {
  bool wait = false;
  std::chrono::milliseconds timeout{0};
  bool dry_run = false;  // ?dry_run=1: check, store nothing
};

ApiResult<WaitSpec> ReadWait(const Query& query, const HandlerOptions& options) {
  WaitSpec spec;
  if (const std::string* wait = Find(query, "wait")) {
    if (*wait != "commit") {
      return MakeError(ProblemType::kBadRequest, "'wait' takes only the value 'commit'");
    }
    spec.wait = true;
  }
  auto timeout = ReadNumber(query, "timeout_ms", 1, options.wait_timeout_max.count());
  if (!timeout.ok()) return timeout.error();
  spec.timeout =
      timeout.value() ? std::chrono::milliseconds(**timeout) : options.wait_timeout_default;
  if (const std::string* dry_run = Find(query, "dry_run")) {
    if (*dry_run != "1" && *dry_run != "true") {
      return MakeError(ProblemType::kBadRequest, "'dry_run' takes the value 1 (or true)");
    }
    spec.dry_run = true;
  }
  if (spec.dry_run && spec.wait) {
    return MakeError(ProblemType::kBadRequest,
                     "a dry run stores nothing, so there is no commit to wait for: drop "
                     "'wait=commit' or 'dry_run'");
  }
  return spec;
}

// Bodies are JSON; the types curl and simple clients send by default are tolerated
// because the body is parsed strictly anyway.
bool IsJsonContentType(std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media.empty() || media == "application/json" || media == "text/plain" ||
         media == "application/x-www-form-urlencoded" ||
         (media.size() > 5 && media.ends_with("+json"));
}

ApiResult<boost::json::object> ReadJsonBody(const HttpRequest& request) {
  if (!IsJsonContentType(request.content_type)) {
    return MakeError(ProblemType::kUnsupportedMediaType,
                     "send the signed JSON with Content-Type: application/json (the document "
                     "itself never goes to the ledger, only its digest)");
  }
  if (request.body.size() > limits::kHttpBodyBytesMax) {
    return MakeError(
        ProblemType::kTooLarge,
        "the body is larger than " + std::to_string(limits::kHttpBodyBytesMax) + " bytes");
  }
  if (request.body.empty()) {
    return MakeError(ProblemType::kMalformedJson, "the body is empty; send one JSON object");
  }
  return ParseStrictJsonObject(request.body);
}

// What POST /v1/records and POST /v1/batches both take: ?wait=commit&timeout_ms=
// and a strict JSON object body.
struct Submission {
  WaitSpec wait;
  boost::json::object body;
};

ApiResult<Submission> ReadSubmission(const HttpRequest& request, const HandlerOptions& options) {
  auto query = ReadQuery(request, {"wait", "timeout_ms", "dry_run"});
  if (!query.ok()) return query.error();
  auto wait = ReadWait(*query, options);
  if (!wait.ok()) return wait.error();
  auto body = ReadJsonBody(request);
  if (!body.ok()) return body.error();
  return Submission{*wait, std::move(body).value()};
}

boost::json::object RecordJson(const RecordView& view) {
  boost::json::object out;
  out["id"] = view.id;
  out["status"] = RecordStatusName(view.status);
  out["record"] = view.record;
  out["receipt"] = view.receipt;
  return out;
}

boost::json::object OutcomeJson(const SubmitOutcome& outcome) {
  boost::json::object out;
  out["id"] = outcome.id;
  out["status"] = RecordStatusName(outcome.status);
  out["already_known"] = outcome.already_known;
  if (outcome.status == RecordStatus::kCommitted) out["receipt"] = outcome.receipt;
  return out;
}

// The answer to a dry run that passed: what a real submission would have done.
boost::json::object DryRunJson(const SubmitOutcome& outcome) {
  boost::json::object out;
  out["dry_run"] = true;
  out["valid"] = true;
  out["id"] = outcome.id;
  out["signing_bytes_sha256"] = outcome.signing_bytes_sha256;
  out["already_known"] = outcome.already_known;
  if (outcome.already_known) out["status"] = RecordStatusName(outcome.status);
  return out;
}

// A refusal of the service, with the details it computed as extension members.
HttpResponse Refusal(const HttpRequest& request, const Status& status,
                     boost::json::object details, bool dry_run) {
  ApiError error = ErrorFromStatus(status);
  for (auto& member : details) error.extensions[member.key()] = std::move(member.value());
  if (dry_run) error.extensions["dry_run"] = true;
  return ProblemResponse(error, InstanceOf(request.target));
}

// 200 for a record seen before, 201 when newly committed, 202 when newly pending.
int SubmitHttpStatus(const SubmitOutcome& outcome) {
  if (outcome.already_known) return 200;
  return outcome.status == RecordStatus::kCommitted ? 201 : 202;
}

HttpResponse SubmitResponse(const SubmitOutcome& outcome, bool wait_timed_out) {
  boost::json::object body = OutcomeJson(outcome);
  if (wait_timed_out) body["wait"] = "timeout";
  HttpResponse response = Json(SubmitHttpStatus(outcome), body);
  response.headers.emplace_back("Location", "/v1/records/" + outcome.id);
  return response;
}

// 200 when every record was known, else 201 when all are committed, else 202.
HttpResponse BatchResponse(const BatchOutcome& outcome, bool wait_timed_out) {
  bool all_known = true;
  bool all_committed = true;
  boost::json::array records;
  for (const SubmitOutcome& record : outcome.records) {
    all_known = all_known && record.already_known;
    all_committed = all_committed && record.status == RecordStatus::kCommitted;
    records.push_back(OutcomeJson(record));
  }
  boost::json::object body;
  body["batch_id"] = outcome.batch_id;
  body["records"] = std::move(records);
  if (wait_timed_out) body["wait"] = "timeout";
  return Json(all_known ? 200 : (all_committed ? 201 : 202), body);
}

// 64 hex digits (either case) as lower case, else bad-request.
ApiResult<std::string> ReadHash(std::string_view raw, std::string_view what, ProblemType type) {
  auto decoded = PercentDecode(raw);
  std::string hex = decoded.ok() ? std::move(decoded).value() : std::string();
  bool good = hex.size() == 2 * crypto::kDigestBytes;
  for (char& c : hex) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    good = good && std::isxdigit(static_cast<unsigned char>(c));
  }
  if (!good) {
    return MakeError(type, std::string(what) + " must be 64 hex digits");
  }
  return hex;
}

// "sha256:<64 hex>" or "sm3:<64 hex>" (hex in either case) as lower case, else
// bad-digest.
ApiResult<std::string> ReadDigest(std::string_view text) {
  const size_t colon = text.find(':');
  const std::string algorithm(text.substr(0, colon));
  if (colon == std::string_view::npos || (algorithm != "sha256" && algorithm != "sm3")) {
    return MakeError(ProblemType::kBadDigest, "write the digest as sha256:<64 hex> or sm3:<64 hex>");
  }
  auto hex = ReadHash(text.substr(colon + 1), "the digest", ProblemType::kBadDigest);
  if (!hex.ok()) return hex.error();
  return algorithm + ":" + *hex;
}

// The "digest" of a record object, lower-cased ("" when absent).
std::string DigestOf(const boost::json::object& record) {
  const boost::json::value* digest = record.if_contains("digest");
  if (digest == nullptr || !digest->is_string()) return "";
  std::string out(digest->as_string());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The "agency" of a record object ("" when absent or not a string: the service
// refuses such records, so they are never charged).
std::string AgencyOf(const boost::json::value& record) {
  if (!record.is_object()) return "";
  const boost::json::value* agency = record.as_object().if_contains("agency");
  if (agency == nullptr || !agency->is_string()) return "";
  return std::string(agency->as_string().data(), agency->as_string().size());
}

HttpResponse RateLimited(const HttpRequest& request, const std::string& agency, uint32_t seconds) {
  ApiError error = MakeError(ProblemType::kTooMany, "agency '" + agency.substr(0, 128) +
                                                        "' is over its submission rate; retry in " +
                                                        std::to_string(seconds) + " s");
  error.retry_after_seconds = seconds;
  return Problem(request, error);
}

}  // namespace

std::string_view RecordStatusName(RecordStatus status) {
  return status == RecordStatus::kCommitted ? "committed" : "pending";
}

ApiHandlers::ApiHandlers(NodeService& service, CommitWaiter& waiter,
                         const metrics::Registry* registry, HandlerOptions options)
    : service_(service),
      waiter_(waiter),
      registry_(registry),
      options_(options),
      limiter_(options.agency_records_per_second, options.agency_burst_records,
               options.rate_limited_agencies_max),
      reports_(std::make_unique<asio::thread_pool>(1)) {}

ApiHandlers::~ApiHandlers() { Stop(); }

void ApiHandlers::Stop() {
  stopping_.store(true);
  reports_->join();
}

void ApiHandlers::Register(Router& router) {
  auto plain = [this](void (ApiHandlers::*method)(const HttpRequest&, Reply)) {
    return [this, method](const HttpRequest& request, const Params&, Reply reply) {
      (this->*method)(request, std::move(reply));
    };
  };
  auto with_params = [this](void (ApiHandlers::*method)(const HttpRequest&, const Params&, Reply)) {
    return [this, method](const HttpRequest& request, const Params& params, Reply reply) {
      (this->*method)(request, params, std::move(reply));
    };
  };
  // Fixed answers that take no query.
  auto fixed = [](std::function<HttpResponse()> make) {
    return [make = std::move(make)](const HttpRequest& request, const Params&, Reply reply) {
      auto query = ReadQuery(request, {});
      reply(query.ok() ? make() : Problem(request, query.error()));
    };
  };
  // Who may call what: api/http/access.h, the table in docs/api.md.
  router.set_authenticator(
      [this](std::string_view token_sha256_hex) { return service_.FindReader(token_sha256_hex); });
  router.Add("POST", "/v1/records", Access::kSubmission, plain(&ApiHandlers::SubmitRecord));
  router.Add("POST", "/v1/batches", Access::kSubmission, plain(&ApiHandlers::SubmitBatch));
  router.Add("GET", "/v1/records/{}", Access::kRecordHolder,
             with_params(&ApiHandlers::GetRecord));
  // Tokens and checkpoints carry no case metadata (a digest, a time, a tree head).
  router.Add("GET", "/v1/records/{}/timestamp", Access::kPublic,
             with_params(&ApiHandlers::GetTimestamp));
  router.Add("GET", "/checkpoint", Access::kPublic, plain(&ApiHandlers::GetCheckpoint));
  // The cosignature's own signature by an accepted witness key authenticates it.
  router.Add("POST", "/v1/cosignatures", Access::kSubmission,
             plain(&ApiHandlers::AddCosignature));
  // The token's signature by a TSA the operator trusts authenticates an anchor;
  // anchors carry a tree head, a time and a TSA's name only.
  router.Add("POST", "/v1/anchors", Access::kSubmission, plain(&ApiHandlers::AddAnchor));
  router.Add("GET", "/v1/anchors", Access::kPublic, plain(&ApiHandlers::ListAnchors));
  router.Add("GET", "/v1/digests/{}", Access::kDocumentHolder,
             with_params(&ApiHandlers::FindByDigest));
  router.Add("GET", "/v1/cases/{}", Access::kCaseTrails, with_params(&ApiHandlers::GetCase));
  router.Add("GET", "/v1/reports/supervision", Access::kSupervisionReports,
             plain(&ApiHandlers::SupervisionReport));
  router.Add("GET", "/v1/blocks/{}", Access::kRedacted, with_params(&ApiHandlers::GetBlock));
  router.Add("GET", "/v1/blocks", Access::kRedacted, plain(&ApiHandlers::ListBlocks));
  router.Add("GET", "/v1/tree-head", Access::kPublic, plain(&ApiHandlers::GetTreeHead));
  router.Add("GET", "/v1/genesis", Access::kPublic, fixed([this] {
               HttpResponse response;
               response.body = service_.GetGenesisJson();
               return response;
             }));
  router.Add("GET", "/v1/governance", Access::kPublic,
             fixed([this] { return Json(200, service_.GetGovernance()); }));
  router.Add("GET", "/v1/governance/blocks", Access::kPublic,
             plain(&ApiHandlers::ListGovernanceBlocks));
  router.Add("POST", "/v1/governance", Access::kSubmission,
             plain(&ApiHandlers::SubmitGovernance));
  router.Add("GET", "/v1/agencies", Access::kPublic,
             [this](const HttpRequest& request, const Params&, Reply reply) {
               GetRegisterList(request, "agencies", std::move(reply));
             });
  router.Add("GET", "/v1/validators", Access::kPublic,
             [this](const HttpRequest& request, const Params&, Reply reply) {
               GetRegisterList(request, "validators", std::move(reply));
             });
  router.Add("GET", "/v1/consistency", Access::kPublic, plain(&ApiHandlers::GetConsistency));
  router.Add("GET", "/v1/status", Access::kPublic, plain(&ApiHandlers::GetStatus));
  router.Add("GET", "/readyz", Access::kPublic, plain(&ApiHandlers::GetReady));
  router.Add("GET", "/healthz", Access::kPublic,
             fixed([] { return Json(200, {{"status", "ok"}}); }));
  router.Add("GET", "/openapi.yaml", Access::kPublic, fixed([] {
               HttpResponse response;
               response.content_type = "application/yaml";
               response.body = std::string(OpenApiYaml());
               return response;
             }));
  if (registry_ != nullptr) {
    router.Add("GET", "/metrics", Access::kPublic, fixed([registry = registry_] {
                 HttpResponse response;
                 response.content_type = std::string(metrics::kPrometheusContentType);
                 response.body = registry->RenderText();
                 return response;
               }));
  }
}

void ApiHandlers::SubmitRecord(const HttpRequest& request, Reply reply) {
  auto submission = ReadSubmission(request, options_);
  if (!submission.ok()) return reply(Problem(request, submission.error()));
  const WaitSpec& wait = submission->wait;
  const boost::json::object& body = submission->body;
  const std::string agency = AgencyOf(body);
  const auto now = RateLimiter::Clock::now();
  if (wait.dry_run) {
    boost::json::object details;
    auto outcome = service_.SubmitRecord(body, SubmitOptions{true}, &details);
    if (!outcome.ok()) return reply(Refusal(request, outcome.status(), std::move(details), true));
    return reply(Json(200, DryRunJson(*outcome)));
  }
  if (const uint32_t seconds = limiter_.Check(agency, 1, now)) {
    return reply(RateLimited(request, agency, seconds));
  }
  boost::json::object details;
  auto outcome = service_.SubmitRecord(body, SubmitOptions{}, &details);
  if (!outcome.ok()) return reply(Refusal(request, outcome.status(), std::move(details), false));
  if (!outcome->already_known) limiter_.Charge(agency, 1, now);
  if (!wait.wait || outcome->status == RecordStatus::kCommitted) {
    return reply(SubmitResponse(*outcome, false));
  }
  std::vector<std::string> ids = {outcome->id};  // before `outcome` moves into the callback
  waiter_.Wait(std::move(ids), wait.timeout,
               [outcome = std::move(outcome).value(), reply](CommitWaiter::Outcome waited) mutable {
                 if (waited.complete) {
                   outcome.status = RecordStatus::kCommitted;
                   outcome.receipt = std::move(waited.receipts[0]);
                 }
                 reply(SubmitResponse(outcome, !waited.complete));
               });
}

// 202 when newly pending, 200 for an action pending already; a dry run
// answers 200 with "dry_run": true. No waiting: an action commits when this
// node proposes (GET /v1/governance shows it committed).
void ApiHandlers::SubmitGovernance(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {"dry_run"});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto wait = ReadWait(*query, options_);
  if (!wait.ok()) return reply(Problem(request, wait.error()));
  // An action is at most 16 KiB as JCS; a body four times that (room for
  // indentation) is refused before it costs a parse.
  if (request.body.size() > kGovernanceBodyBytesMax) {
    return reply(Problem(request, ProblemType::kTooLarge,
                         "a governance action is at most " +
                             std::to_string(limits::kGovernanceActionBytesMax) +
                             " bytes as JCS; this body has " +
                             std::to_string(request.body.size())));
  }
  auto body = ReadJsonBody(request);
  if (!body.ok()) return reply(Problem(request, body.error()));
  auto outcome = service_.SubmitGovernance(*body, SubmitOptions{wait->dry_run});
  if (!outcome.ok()) return reply(Refusal(request, outcome.status(), {}, wait->dry_run));
  boost::json::object answer{{"id", outcome->id},
                             {"seq", outcome->seq},
                             {"already_known", outcome->already_known}};
  if (wait->dry_run) {
    answer["dry_run"] = true;
    answer["valid"] = true;
    return reply(Json(200, answer));
  }
  answer["status"] = "pending";
  return reply(Json(outcome->already_known ? 200 : 202, answer));
}

void ApiHandlers::GetRegisterList(const HttpRequest& request, std::string_view list,
                                  Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  boost::json::object governance = service_.GetGovernance();
  boost::json::object answer{{"height", governance["height"]},
                             {"state_hash", governance["state_hash"]}};
  const boost::json::value* entries = nullptr;
  if (const boost::json::object* registered = governance["register"].if_object()) {
    entries = registered->if_contains(list);
  }
  answer[list] = entries != nullptr ? *entries : boost::json::array{};
  reply(Json(200, answer));
}

void ApiHandlers::SubmitBatch(const HttpRequest& request, Reply reply) {
  auto submission = ReadSubmission(request, options_);
  if (!submission.ok()) return reply(Problem(request, submission.error()));
  const WaitSpec& wait = submission->wait;
  const boost::json::object& body = submission->body;
  const boost::json::value* records = body.if_contains("records");
  const bool listed = records != nullptr && records->is_array() && !records->as_array().empty();
  const std::string agency = listed ? AgencyOf(records->as_array().front()) : "";
  const double cost = listed ? static_cast<double>(records->as_array().size()) : 1;
  const auto now = RateLimiter::Clock::now();
  if (wait.dry_run) {
    boost::json::object details;
    auto outcome = service_.SubmitBatch(body, SubmitOptions{true}, &details);
    if (!outcome.ok()) return reply(Refusal(request, outcome.status(), std::move(details), true));
    boost::json::array records;
    for (const SubmitOutcome& record : outcome->records) records.push_back(DryRunJson(record));
    return reply(Json(200, {{"dry_run", true},
                            {"valid", true},
                            {"batch_id", outcome->batch_id},
                            {"records", std::move(records)}}));
  }
  if (const uint32_t seconds = limiter_.Check(agency, cost, now)) {
    return reply(RateLimited(request, agency, seconds));
  }
  boost::json::object details;
  auto outcome = service_.SubmitBatch(body, SubmitOptions{}, &details);
  if (!outcome.ok()) return reply(Refusal(request, outcome.status(), std::move(details), false));
  const auto accepted = std::count_if(outcome->records.begin(), outcome->records.end(),
                                      [](const SubmitOutcome& r) { return !r.already_known; });
  limiter_.Charge(agency, static_cast<double>(accepted), now);
  std::vector<std::string> pending_ids;
  std::vector<size_t> pending_indexes;
  for (size_t i = 0; i < outcome->records.size(); ++i) {
    if (outcome->records[i].status == RecordStatus::kPending) {
      pending_ids.push_back(outcome->records[i].id);
      pending_indexes.push_back(i);
    }
  }
  if (!wait.wait || pending_ids.empty()) return reply(BatchResponse(*outcome, false));
  waiter_.Wait(std::move(pending_ids), wait.timeout,
               [outcome = std::move(outcome).value(), pending_indexes = std::move(pending_indexes),
                reply](CommitWaiter::Outcome waited) mutable {
                 for (size_t k = 0; k < pending_indexes.size(); ++k) {
                   if (waited.receipts[k].is_null()) continue;
                   SubmitOutcome& record = outcome.records[pending_indexes[k]];
                   record.status = RecordStatus::kCommitted;
                   record.receipt = std::move(waited.receipts[k]);
                 }
                 reply(BatchResponse(outcome, !waited.complete));
               });
}

// Access::kRecordHolder: the record and its receipt for a reader who may read
// records (the router has refused one who may not), or for the caller who
// names the record's document digest (?digest=sha256:<hex>), as a submitting
// agency or the holder of the document can; anyone else 401, before the id is
// even looked up, so the answer says nothing about the record.
void ApiHandlers::GetRecord(const HttpRequest& request, const Params& params, Reply reply) {
  auto query = ReadQuery(request, {"digest"});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto id = ReadHash(params[0], "a record id", ProblemType::kBadRequest);
  if (!id.ok()) return reply(Problem(request, id.error()));
  const bool reader = request.caller.May(ledger::ReaderRight::kRecords);
  std::optional<std::string> digest;
  if (const std::string* text = Find(*query, "digest")) {
    auto parsed = ReadDigest(*text);
    if (!parsed.ok()) return reply(Problem(request, parsed.error()));
    digest = std::move(parsed).value();
  }
  const auto refuse = [&] {
    HttpResponse response = Problem(
        request, ProblemType::kUnauthorized,
        "a record is shown to a reader ('Authorization: Bearer <token>') or to whoever names its "
        "document digest: add ?digest=sha256:<hex of the document> (evidence hash FILE)");
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"evidence-ledger\"");
    reply(std::move(response));
  };
  if (!reader && !digest) return refuse();
  auto view = service_.GetRecord(*id);
  if (!view.ok()) return reply(Problem(request, view.status()));
  if (!reader && DigestOf(view->record) != *digest) return refuse();
  reply(Json(200, RecordJson(*view)));
}

// An RFC 3161 TimeStampResp (application/timestamp-reply, RFC 3161 §4) or, for
// another institution's token, a temporary redirect to that institution's node.
void ApiHandlers::GetTimestamp(const HttpRequest& request, const Params& params, Reply reply) {
  auto query = ReadQuery(request, {"institution"});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto id = ReadHash(params[0], "a record id", ProblemType::kBadRequest);
  if (!id.ok()) return reply(Problem(request, id.error()));
  const std::string* institution = Find(*query, "institution");
  if (institution != nullptr && (institution->empty() || institution->size() > 256)) {
    return reply(Problem(request, ProblemType::kBadRequest,
                         "'institution' must be a validator's name or institution (1..256 bytes)"));
  }
  auto answer = service_.GetTimestamp(*id, institution ? *institution : std::string_view());
  if (!answer.ok()) return reply(Problem(request, answer.status()));
  HttpResponse response;
  if (!answer->redirect_url.empty()) {
    response.status = 307;
    response.content_type = "text/plain";
    response.body = answer->redirect_url + "\n";
    response.headers.emplace_back("Location", answer->redirect_url);
    return reply(std::move(response));
  }
  response.content_type = "application/timestamp-reply";
  response.body = std::move(answer->token_der);
  reply(std::move(response));
}

// The C2SP checkpoint as a signed note (text/plain, docs/witness.md).
void ApiHandlers::GetCheckpoint(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto note = service_.GetCheckpoint();
  if (!note.ok()) return reply(Problem(request, note.status()));
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(*note);
  reply(std::move(response));
}

// A witness's cosignature: a signed note in text/plain, at most kNoteBytesMax.
void ApiHandlers::AddCosignature(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  if (request.content_type != "text/plain" &&
      request.content_type != "text/plain; charset=utf-8") {
    return reply(Problem(request, ProblemType::kUnsupportedMediaType,
                         "send the cosigned checkpoint as text/plain (a C2SP signed note)"));
  }
  if (request.body.size() > kCosignatureBytesMax) {
    return reply(Problem(request, ProblemType::kTooLarge,
                         "a cosigned checkpoint is at most " +
                             std::to_string(kCosignatureBytesMax) + " bytes"));
  }
  Status added = service_.AddCosignature(request.body);
  if (!added.ok()) return reply(Problem(request, added));
  reply(Json(201, {{"accepted", true}}));
}

// An outside TSA's token over a checkpoint: {"tree_size", "token"} as JSON.
void ApiHandlers::AddAnchor(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  if (!IsJsonContentType(request.content_type)) {
    return reply(Problem(request, ProblemType::kUnsupportedMediaType,
                         "send the anchor as application/json: {\"tree_size\": N, \"token\": "
                         "\"<base64 TimeStampResp>\"}"));
  }
  if (request.body.size() > kAnchorBytesMax) {
    return reply(Problem(request, ProblemType::kTooLarge,
                         "an anchor is at most " + std::to_string(kAnchorBytesMax) + " bytes"));
  }
  auto anchor = service_.AddAnchor(request.body);
  if (!anchor.ok()) return reply(Problem(request, anchor.status()));
  reply(Json(201, *anchor));
}

void ApiHandlers::ListAnchors(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {"from"});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto from = ReadNumber(*query, "from", 0, UINT64_MAX);
  if (!from.ok()) return reply(Problem(request, from.error()));
  auto list = service_.ListAnchors(from->value_or(0));
  if (!list.ok()) return reply(Problem(request, list.status()));
  reply(Json(200, *list));
}

void ApiHandlers::FindByDigest(const HttpRequest& request, const Params& params, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto decoded = PercentDecode(params[0]);
  auto digest = ReadDigest(decoded.ok() ? *decoded : std::string());
  if (!digest.ok()) return reply(Problem(request, digest.error()));
  const size_t colon = digest->find(':');
  const std::string algorithm = digest->substr(0, colon);
  const std::string hex = digest->substr(colon + 1);
  auto views = service_.FindByDigest(algorithm, hex);
  if (!views.ok()) return reply(Problem(request, views.status()));
  if (views->empty()) {
    return reply(Problem(request, ProblemType::kNotFound,
                         "no record carries the digest " + *digest));
  }
  boost::json::array records;
  for (const RecordView& view : *views) records.push_back(RecordJson(view));
  boost::json::object body;
  body["digest"] = *digest;
  body["records"] = std::move(records);
  reply(Json(200, body));
}

// The router has checked the reader (Access::kCaseTrails) before this runs.
void ApiHandlers::GetCase(const HttpRequest& request, const Params& params, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto case_id = PercentDecode(params[0]);
  if (!case_id.ok()) {
    return reply(Problem(request, ProblemType::kBadRequest,
                         "the case id is badly percent-encoded: " + case_id.status().message()));
  }
  if (case_id->size() > limits::kCaseIdBytesMax) {
    return reply(
        Problem(request, ProblemType::kBadRequest,
                "a case id has at most " + std::to_string(limits::kCaseIdBytesMax) + " bytes"));
  }
  auto trail = service_.GetCase(*case_id);
  if (!trail.ok()) return reply(Problem(request, trail.status()));
  boost::json::array records;
  for (const RecordView& view : trail->records) records.push_back(RecordJson(view));
  boost::json::object body;
  body["case_id"] = trail->case_id;
  body["records"] = std::move(records);
  reply(Json(200, body));
}

namespace {

// from=YYYY-MM-DD&to=YYYY-MM-DD[&agency=ID] of GET /v1/reports/supervision.
ApiResult<SupervisionReportQuery> ReadReportQuery(const HttpRequest& request) {
  auto query = ReadQuery(request, {"from", "to", "agency"});
  if (!query.ok()) return query.error();
  const std::string* from = Find(*query, "from");
  const std::string* to = Find(*query, "to");
  if (from == nullptr || to == nullptr) {
    return MakeError(ProblemType::kBadRequest,
                     "give the period as ?from=YYYY-MM-DD&to=YYYY-MM-DD (both days included)");
  }
  SupervisionReportQuery out;
  auto from_day = ParseCivilDate(*from);
  if (!from_day.ok()) return MakeError(ProblemType::kBadRequest, "from: " + from_day.status().message());
  auto to_day = ParseCivilDate(*to);
  if (!to_day.ok()) return MakeError(ProblemType::kBadRequest, "to: " + to_day.status().message());
  out.from_day = *from_day;
  out.to_day = *to_day;
  if (out.from_day > out.to_day ||
      out.to_day - out.from_day >= static_cast<int32_t>(limits::kReportPeriodDaysMax)) {
    return MakeError(ProblemType::kBadRequest,
                     "the period must run forward (from <= to) and span at most " +
                         std::to_string(limits::kReportPeriodDaysMax) + " days");
  }
  if (const std::string* agency = Find(*query, "agency")) {
    if (agency->empty() || agency->size() > limits::kAgencyIdBytesMax) {
      return MakeError(ProblemType::kBadRequest, "'agency' must be an agency id of 1 to " +
                                                     std::to_string(limits::kAgencyIdBytesMax) +
                                                     " bytes");
    }
    out.agency = *agency;
  }
  return out;
}

}  // namespace

void ApiHandlers::SupervisionReport(const HttpRequest& request, Reply reply) {
  // Access::kSupervisionReports: the router has refused callers without the right.
  auto query = ReadReportQuery(request);
  if (!query.ok()) return reply(Problem(request, query.error()));
  if (stopping_.load()) {
    return reply(Problem(request, Status::Unavailable("the node is stopping")));
  }
  bool idle = false;
  if (!report_busy_.compare_exchange_strong(idle, true)) {
    return reply(Problem(request, Status::ResourceExhausted(
                                      "another supervision report is being made; ask again when it is done")));
  }
  query->cancel = &stopping_;
  // Off the HTTP thread: the report reads every record of the period's cases.
  asio::post(*reports_, [this, request, query = *query, reply = std::move(reply)] {
    auto report = service_.SupervisionReport(query);
    report_busy_.store(false);
    if (!report.ok()) return reply(Problem(request, report.status()));
    reply(Json(200, *report));
  });
}

// Access::kRedacted: blocks are public as header, commit and leaf hashes; their
// records (case ids, titles, agencies) go only to readers who may read records
// (the router has refused a reader who may not, and any wrong token).
BlockDetail ApiHandlers::DetailFor(const HttpRequest& request) {
  return request.caller.May(ledger::ReaderRight::kRecords) ? BlockDetail::kRecords
                                                           : BlockDetail::kLeafHashes;
}

void ApiHandlers::GetBlock(const HttpRequest& request, const Params& params, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  const std::optional<uint64_t> height = ParseUint64(params[0]);
  if (!height) {
    return reply(
        Problem(request, ProblemType::kBadRequest, "the height must be a decimal integer"));
  }
  auto block = service_.GetBlock(*height, DetailFor(request));
  if (!block.ok()) return reply(Problem(request, block.status()));
  reply(Json(200, *block));
}

void ApiHandlers::ListBlocks(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {"from", "limit"});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto from = ReadNumber(*query, "from", 0, UINT64_MAX);
  if (!from.ok()) return reply(Problem(request, from.error()));
  auto limit = ReadNumber(*query, "limit", 1, limits::kPageLimitMax);
  if (!limit.ok()) return reply(Problem(request, limit.error()));
  auto page = service_.ListBlocks(from->value_or(1), limit->value_or(limits::kPageLimitDefault),
                                  DetailFor(request));
  if (!page.ok()) return reply(Problem(request, page.status()));
  boost::json::array blocks;
  for (boost::json::value& block : page->blocks) blocks.push_back(std::move(block));
  boost::json::object body;
  body["blocks"] = std::move(blocks);
  body["next_from"] = page->next_from ? boost::json::value(*page->next_from) : nullptr;
  reply(Json(200, body));
}

// The governance history with its proof (header, commit, actions of each block
// that carries actions), for verifiers that replay the register from genesis.
void ApiHandlers::ListGovernanceBlocks(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {"from", "limit"});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto from = ReadNumber(*query, "from", 0, UINT64_MAX);
  if (!from.ok()) return reply(Problem(request, from.error()));
  auto limit = ReadNumber(*query, "limit", 1, limits::kGovernanceBlocksPageMax);
  if (!limit.ok()) return reply(Problem(request, limit.error()));
  auto page = service_.ListGovernanceBlocks(from->value_or(1),
                                            limit->value_or(limits::kGovernanceBlocksPageDefault));
  if (!page.ok()) return reply(Problem(request, page.status()));
  boost::json::array blocks;
  for (boost::json::value& block : page->blocks) blocks.push_back(std::move(block));
  boost::json::object body;
  body["blocks"] = std::move(blocks);
  body["next_from"] = page->next_from ? boost::json::value(*page->next_from) : nullptr;
  reply(Json(200, body));
}

void ApiHandlers::GetTreeHead(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto head = service_.GetTreeHead();
  if (!head.ok()) return reply(Problem(request, head.status()));
  boost::json::object body;
  body["size"] = head->size;
  body["root"] = head->root_hex;
  body["height"] = head->height;
  body["commit"] = head->commit;
  reply(Json(200, body));
}

void ApiHandlers::GetConsistency(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {"from", "to"});
  if (!query.ok()) return reply(Problem(request, query.error()));
  auto from = ReadNumber(*query, "from", 1, UINT64_MAX);
  if (!from.ok()) return reply(Problem(request, from.error()));
  auto to = ReadNumber(*query, "to", 1, UINT64_MAX);
  if (!to.ok()) return reply(Problem(request, to.error()));
  if (!from.value() || !to.value() || **from > **to) {
    return reply(Problem(request, ProblemType::kBadRequest,
                         "give two tree sizes with 0 < from <= to, e.g. ?from=10&to=20"));
  }
  auto proof = service_.GetConsistencyProof(**from, **to);
  if (!proof.ok()) return reply(Problem(request, proof.status()));
  boost::json::array hashes;
  for (const std::string& hash : *proof) hashes.emplace_back(hash);
  boost::json::object body;
  body["from"] = **from;
  body["to"] = **to;
  body["proof"] = std::move(hashes);
  reply(Json(200, body));
}

void ApiHandlers::GetStatus(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  reply(Json(200, service_.GetStatus()));
}

void ApiHandlers::GetReady(const HttpRequest& request, Reply reply) {
  auto query = ReadQuery(request, {});
  if (!query.ok()) return reply(Problem(request, query.error()));
  const Readiness readiness = service_.GetReadiness();
  if (!readiness.ready) {
    return reply(Problem(request, ProblemType::kNotReady, "not ready: " + readiness.reason));
  }
  reply(Json(200, {{"ready", true}}));
}

}  // namespace evidence::api
