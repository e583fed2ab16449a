// The routes over a fake NodeService, called through the Router without a network.
#include "api/http/handlers.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <thread>

#include "common/metrics.h"
#include "fake_node_service.h"

namespace evidence::api {
namespace {

using testing::FakeNodeService;

const std::string kDigest = "sha256:" + std::string(64, 'e');
const std::string kCaseId = "(2026)鲁0831行复12号";
const std::string kCaseIdEncoded = "%282026%29%E9%B2%810831%E8%A1%8C%E5%A4%8D12%E5%8F%B7";

std::string RecordJson(int n) {
  boost::json::object record{{"v", 1},
                             {"chain_id", "test-chain"},
                             {"kind", "enforcement_record"},
                             {"case_id", kCaseId},
                             {"digest", kDigest},
                             {"n", n}};
  return boost::json::serialize(record);
}

class HandlersTest : public ::testing::Test {
 protected:
  HandlersTest() {
    handlers_.Register(router_);
    router_.set_request_counter(&http_requests_);
    service_.AddReader("court-token", Reader{"court-1", "court"});
    service_.AddReader("press-token", Reader{"press-1", "press"});
    service_.AddReader("supervisor-token", Reader{"office-1", "supervisor"});
  }

  HttpResponse Call(std::string method, std::string target, std::string body = "",
                    std::string authorization = "", std::string content_type = "application/json") {
    std::promise<HttpResponse> promise;
    HttpRequest request{std::move(method), std::move(target), std::move(authorization),
                        std::move(content_type), std::move(body), {}};
    router_.Dispatch(request,
                     [&promise](HttpResponse response) { promise.set_value(std::move(response)); });
    return promise.get_future().get();
  }

  static boost::json::value Body(const HttpResponse& response) {
    return boost::json::parse(response.body);
  }

  // The problem name of a problem+json answer ("" if it is not one).
  static std::string ProblemOf(const HttpResponse& response) {
    if (response.content_type != "application/problem+json") return "";
    const std::string type(Body(response).at("type").as_string());
    return type.substr(kProblemTypeUriPrefix.size());
  }

  static std::string Header(const HttpResponse& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  FakeNodeService service_;
  metrics::Registry registry_;
  metrics::CounterFamily& http_requests_ = registry_.AddCounterFamily(
      "evidence_http_requests_total", "HTTP requests answered.", {"route", "code"});
  CommitWaiter waiter_{service_};
  ApiHandlers handlers_{service_, waiter_, &registry_};
  Router router_;
};

TEST_F(HandlersTest, SubmitAcceptsThenAnswersTheSameRecordWith200) {
  HttpResponse first = Call("POST", "/v1/records", RecordJson(1));
  ASSERT_EQ(first.status, 202) << first.body;
  const std::string id(Body(first).at("id").as_string());
  EXPECT_EQ(Body(first).at("status").as_string(), "pending");
  EXPECT_EQ(Header(first, "Location"), "/v1/records/" + id);
  HttpResponse again = Call("POST", "/v1/records", RecordJson(1));
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(Body(again).at("already_known").as_bool());
  EXPECT_EQ(service_.state_changes(), 1u);
  service_.Commit(id);
  HttpResponse committed = Call("POST", "/v1/records", RecordJson(1));
  EXPECT_EQ(committed.status, 200);
  EXPECT_EQ(Body(committed).at("status").as_string(), "committed");
  EXPECT_EQ(Body(committed).at("receipt").at("record_id").as_string(), id);
}

TEST_F(HandlersTest, WaitForCommitAnswers201WithTheReceipt) {
  const std::string id = FakeNodeService::IdOf(boost::json::parse(RecordJson(2)).as_object());
  std::thread committer([&] {
    service_.WaitForWatches(1);
    service_.Commit(id);
  });
  HttpResponse response = Call("POST", "/v1/records?wait=commit&timeout_ms=60000", RecordJson(2));
  committer.join();
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(Body(response).at("status").as_string(), "committed");
  EXPECT_EQ(Body(response).at("receipt").at("record_id").as_string(), id);
}

TEST_F(HandlersTest, WaitThatTimesOutAnswers202Pending) {
  HttpResponse response = Call("POST", "/v1/records?wait=commit&timeout_ms=1", RecordJson(3));
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(Body(response).at("status").as_string(), "pending");
  EXPECT_EQ(Body(response).at("wait").as_string(), "timeout");
  EXPECT_EQ(service_.open_watches(), 0u);
}

TEST_F(HandlersTest, BadWaitParametersAreRefusedBeforeAnyStateChange) {
  for (const char* target :
       {"/v1/records?wait=yes", "/v1/records?wait=commit&timeout_ms=0",
        "/v1/records?wait=commit&timeout_ms=999999999", "/v1/records?wait=commit&timeout_ms=-1",
        "/v1/records?foo=1", "/v1/records?wait=commit&wait=commit", "/v1/records?wait=%zz"}) {
    HttpResponse response = Call("POST", target, RecordJson(4));
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_EQ(ProblemOf(response), "bad-request") << target;
  }
  EXPECT_EQ(service_.state_changes(), 0u);
}

TEST_F(HandlersTest, MalformedBodiesGetTheirOwnProblemTypeAndChangeNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "malformed-json"},
      {"{", "malformed-json"},
      {R"({"a":1} trailing)", "malformed-json"},
      {R"({"a":1,"a":2})", "duplicate-key"},
      {std::string(20, '[') + std::string(20, ']'), "too-deep"},
      {R"({"size":1.5})", "float-not-allowed"},
      {R"({"time":1e12})", "float-not-allowed"},
      {"{\"title\":\"\xff\"}", "invalid-utf8"},
      {"[1,2]", "wrong-type"},
      {R"({"fail":"record.unknown_field"})", "unknown-field"},
      {R"({"fail":"record.missing_field"})", "missing-field"},
      {R"({"fail":"record.wrong_type"})", "wrong-type"},
      {R"({"fail":"record.bad_digest"})", "bad-digest"},
      {R"({"fail":"record.unknown_kind"})", "unknown-kind"},
      {R"({"fail":"record.unknown_agency"})", "unknown-agency"},
      {R"({"fail":"record.unknown_key"})", "unknown-key"},
      {R"({"fail":"record.bad_signature"})", "bad-signature"},
      {R"({"fail":"record.chain_mismatch"})", "wrong-chain"},
      {R"({"fail":"record.time_in_future"})", "time-in-future"},
  };
  for (const auto& [body, problem] : cases) {
    HttpResponse response = Call("POST", "/v1/records", body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(ProblemOf(response), problem) << body;
    EXPECT_NE(Body(response).at("detail").as_string(), "") << body;
    EXPECT_EQ(Body(response).at("instance").as_string(), "/v1/records");
  }
  HttpResponse large = Call("POST", "/v1/records", R"({"fail":"record.too_large"})");
  EXPECT_EQ(large.status, 413);
  EXPECT_EQ(ProblemOf(large), "too-large");
  EXPECT_EQ(service_.state_changes(), 0u);
}

TEST_F(HandlersTest, NonJsonMediaTypesAre415) {
  HttpResponse response = Call("POST", "/v1/records", RecordJson(5), "", "application/pdf");
  EXPECT_EQ(response.status, 415);
  EXPECT_EQ(ProblemOf(response), "unsupported-media-type");
  EXPECT_EQ(
      Call("POST", "/v1/records", RecordJson(5), "", "multipart/form-data; boundary=x").status,
      415);
  EXPECT_EQ(
      Call("POST", "/v1/records", RecordJson(5), "", "application/json; charset=utf-8").status,
      202);
  EXPECT_EQ(service_.state_changes(), 1u);
}

TEST_F(HandlersTest, FullMempoolIs429WithRetryAfter) {
  service_.set_mempool_full(true);
  HttpResponse response = Call("POST", "/v1/records", RecordJson(6));
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(ProblemOf(response), "too-many");
  EXPECT_EQ(Header(response, "Retry-After"), "1");
  EXPECT_EQ(service_.state_changes(), 0u);
}

TEST_F(HandlersTest, BatchesAreAcceptedAllOrNoneAndCanWait) {
  const std::string batch =
      "{\"header\":{},\"records\":[" + RecordJson(7) + "," + RecordJson(8) + "]}";
  HttpResponse response = Call("POST", "/v1/batches", batch);
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(Body(response).at("records").as_array().size(), 2u);
  EXPECT_EQ(Call("POST", "/v1/batches", batch).status, 200);
  const std::string bad =
      "{\"records\":[" + RecordJson(9) + R"(,{"fail":"record.bad_signature"}]})";
  HttpResponse refused = Call("POST", "/v1/batches", bad);
  EXPECT_EQ(ProblemOf(refused), "bad-signature");
  EXPECT_EQ(service_.state_changes(), 2u);
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/batches", R"({"records":3})")), "invalid-batch");

  const std::string waited = "{\"records\":[" + RecordJson(10) + "," + RecordJson(11) + "]}";
  std::thread committer([&] {
    service_.WaitForWatches(2);
    for (int n : {10, 11})
      service_.Commit(FakeNodeService::IdOf(boost::json::parse(RecordJson(n)).as_object()));
  });
  HttpResponse all = Call("POST", "/v1/batches?wait=commit", waited);
  committer.join();
  ASSERT_EQ(all.status, 201) << all.body;
  const boost::json::value all_body = Body(all);
  for (const auto& record : all_body.at("records").as_array()) {
    EXPECT_EQ(record.at("status").as_string(), "committed");
    EXPECT_TRUE(record.at("receipt").is_object());
  }
}

TEST_F(HandlersTest, GetRecordShowsStatusAndReceipt) {
  const std::string id(Body(Call("POST", "/v1/records", RecordJson(12))).at("id").as_string());
  const std::string with_digest = "/v1/records/" + id + "?digest=" + kDigest;
  HttpResponse pending = Call("GET", with_digest);
  ASSERT_EQ(pending.status, 200);
  EXPECT_EQ(Body(pending).at("status").as_string(), "pending");
  EXPECT_TRUE(Body(pending).at("receipt").is_null());
  service_.Commit(id);
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  HttpResponse committed = Call("GET", "/v1/records/" + upper, "", "Bearer court-token");
  ASSERT_EQ(committed.status, 200);
  EXPECT_EQ(Body(committed).at("receipt").at("record_id").as_string(), id);
  EXPECT_EQ(Body(committed).at("record").at("case_id").as_string(), kCaseId);
  // The document's digest in upper case names it too.
  std::string upper_digest = kDigest;
  for (char& c : upper_digest) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  upper_digest.replace(0, 6, "sha256");
  EXPECT_TRUE(Body(Call("GET", "/v1/records/" + id + "?digest=" + upper_digest))
                  .as_object()
                  .contains("record"));
  // Anyone else: 401, whatever the id (issue 17, finding 3).
  for (const std::string& target :
       {"/v1/records/" + id, "/v1/records/" + id + "?digest=sha256:" + std::string(64, '0'),
        "/v1/records/" + std::string(64, '0')}) {
    HttpResponse refused = Call("GET", target);
    EXPECT_EQ(refused.status, 401) << target;
    EXPECT_NE(Header(refused, "WWW-Authenticate"), "") << target;
    EXPECT_EQ(refused.body.find(kCaseId), std::string::npos) << target;
  }
  EXPECT_EQ(Call("GET", "/v1/records/" + id, "", "Bearer press-token").status, 403);
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/records/" + id + "?digest=md5:00")), "bad-digest");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/records/" + std::string(64, '0'), "", "Bearer court-token")),
            "not-found");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/records/xyz")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/records/" + id + "?x=1")), "bad-request");
}

TEST_F(HandlersTest, TimestampTokensAreGivenOnlyForCommittedRecords) {
  const std::string id(Body(Call("POST", "/v1/records", RecordJson(40))).at("id").as_string());
  const std::string route = "/v1/records/" + id + "/timestamp";
  EXPECT_EQ(ProblemOf(Call("GET", route)), "not-found");  // pending: no token
  service_.Commit(id);
  HttpResponse token = Call("GET", route);
  ASSERT_EQ(token.status, 200);
  EXPECT_EQ(token.content_type, "application/timestamp-reply");
  EXPECT_EQ(token.body, "TOKEN:" + id);
  EXPECT_EQ(Call("GET", route + "?institution=court").body, "TOKEN:" + id);
  HttpResponse redirect = Call("GET", route + "?institution=notary");
  EXPECT_EQ(redirect.status, 307);
  EXPECT_EQ(Header(redirect, "Location"),
            "http://notary.example/v1/records/" + id + "/timestamp?institution=notary");
  EXPECT_EQ(ProblemOf(Call("GET", route + "?institution=nobody")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", route + "?institution=")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", route + "?institution=" + std::string(257, 'x'))), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", route + "?at=1")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/records/xyz/timestamp")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/records/" + std::string(64, '0') + "/timestamp")),
            "not-found");
  EXPECT_EQ(ProblemOf(Call("POST", route)), "method-not-allowed");
}

TEST_F(HandlersTest, CheckpointAndCosignatureRoutes) {
  EXPECT_EQ(ProblemOf(Call("GET", "/checkpoint")), "not-found");
  service_.Commit(std::string(Body(Call("POST", "/v1/records", RecordJson(41))).at("id").as_string()));
  HttpResponse checkpoint = Call("GET", "/checkpoint");
  ASSERT_EQ(checkpoint.status, 200);
  EXPECT_EQ(checkpoint.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(ProblemOf(Call("GET", "/checkpoint?x=1")), "bad-request");
  const size_t before = service_.state_changes();
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/cosignatures", "good", "", "application/json")),
            "unsupported-media-type");
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/cosignatures", "unknown", "", "text/plain")), "forbidden");
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/cosignatures", "bad", "", "text/plain")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/cosignatures", "good" + std::string(20000, 'x'), "",
                           "text/plain")),
            "too-large");
  EXPECT_EQ(service_.state_changes(), before);
  HttpResponse accepted = Call("POST", "/v1/cosignatures", "good", "", "text/plain; charset=utf-8");
  EXPECT_EQ(accepted.status, 201);
  EXPECT_EQ(service_.state_changes(), before + 1);
  EXPECT_NE(Call("GET", "/checkpoint").body.find("good"), std::string::npos);
}

TEST_F(HandlersTest, AnchorRoutesRefuseBadInputAndStoreNothing) {
  const size_t before = service_.state_changes();
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/anchors", "good", "", "application/octet-stream")),
            "unsupported-media-type");
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/anchors", "untrusted", "", "application/json")), "forbidden");
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/anchors", "garbage", "", "application/json")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/anchors", "good" + std::string(40000, 'x'), "",
                           "application/json")),
            "too-large");
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/anchors?x=1", "good", "", "application/json")), "bad-request");
  EXPECT_EQ(service_.state_changes(), before);
  HttpResponse accepted = Call("POST", "/v1/anchors", "good", "", "application/json");
  EXPECT_EQ(accepted.status, 201);
  EXPECT_EQ(service_.state_changes(), before + 1);
  HttpResponse list = Call("GET", "/v1/anchors");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Body(list).at("total").as_int64(), 1);
  EXPECT_EQ(Body(Call("GET", "/v1/anchors?from=1")).at("anchors").as_array().size(), 0u);
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/anchors?from=x")), "bad-request");
}

TEST_F(HandlersTest, DigestLookupIsOpenAndStrictAboutTheDigest) {
  Call("POST", "/v1/records", RecordJson(13));
  Call("POST", "/v1/records", RecordJson(14));
  HttpResponse found = Call("GET", "/v1/digests/" + kDigest);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(Body(found).at("records").as_array().size(), 2u);
  EXPECT_EQ(Call("GET", "/v1/digests/sha256%3A" + std::string(64, 'E')).status, 200);
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/digests/sm3:" + std::string(64, 'e'))), "not-found");
  for (const std::string& bad :
       std::vector<std::string>{"sha256:abc", "md5:" + std::string(64, 'e'), std::string(64, 'e'),
                                "sha256:" + std::string(63, 'e') + "g", "sha256:%zz"}) {
    EXPECT_EQ(ProblemOf(Call("GET", "/v1/digests/" + bad)), "bad-digest") << bad;
  }
}

TEST_F(HandlersTest, CaseTrailNeedsAReaderWhoseRoleMayReadCases) {
  Call("POST", "/v1/records", RecordJson(15));
  HttpResponse missing = Call("GET", "/v1/cases/" + kCaseIdEncoded);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(ProblemOf(missing), "unauthorized");
  EXPECT_NE(Header(missing, "WWW-Authenticate"), "");
  EXPECT_EQ(Call("GET", "/v1/cases/" + kCaseIdEncoded, "", "Bearer wrong").status, 401);
  EXPECT_EQ(Call("GET", "/v1/cases/" + kCaseIdEncoded, "", "Basic Y291cnQ=").status, 401);
  EXPECT_EQ(Call("GET", "/v1/cases/" + kCaseIdEncoded, "", "Bearer ").status, 401);
  EXPECT_EQ(Call("GET", "/v1/cases/" + kCaseIdEncoded, "", "Bearer press-token").status, 403);
  // Unknown cases are hidden from the unauthorised too.
  EXPECT_EQ(Call("GET", "/v1/cases/nope").status, 401);
  HttpResponse trail = Call("GET", "/v1/cases/" + kCaseIdEncoded, "", "bearer court-token");
  ASSERT_EQ(trail.status, 200) << trail.body;
  EXPECT_EQ(Body(trail).at("case_id").as_string(), kCaseId);
  EXPECT_EQ(Body(trail).at("records").as_array().size(), 1u);
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/cases/nope", "", "Bearer court-token")), "not-found");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/cases/%E9%B2", "", "Bearer court-token")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/cases/a%2", "", "Bearer court-token")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/cases/" + std::string(300, 'x'), "", "Bearer court-token")),
            "bad-request");
}

TEST_F(HandlersTest, SupervisionReportsOnlyForReadersWhoseRoleAllowsThem) {
  const std::string target = "/v1/reports/supervision?from=2026-01-01&to=2026-12-31";
  HttpResponse missing = Call("GET", target);
  EXPECT_EQ(missing.status, 401);
  EXPECT_NE(Header(missing, "WWW-Authenticate"), "");
  EXPECT_EQ(Call("GET", target, "", "Bearer wrong").status, 401);
  // A court reader may read case trails but not supervision reports.
  HttpResponse court = Call("GET", target, "", "Bearer court-token");
  EXPECT_EQ(court.status, 403);
  EXPECT_EQ(ProblemOf(court), "forbidden");
  EXPECT_NE(std::string(Body(court).at("detail").as_string()).find("may not read supervision reports"), std::string::npos)
      << court.body;
  // Credentials are checked before the query: nothing about the query leaks.
  EXPECT_EQ(Call("GET", "/v1/reports/supervision?from=bad", "", "Bearer court-token").status, 403);
  EXPECT_TRUE(service_.report_queries().empty());

  HttpResponse report = Call("GET", target + "&agency=sishui-msa", "", "Bearer supervisor-token");
  ASSERT_EQ(report.status, 200) << report.body;
  ASSERT_EQ(service_.report_queries().size(), 1u);
  const SupervisionReportQuery query = service_.report_queries()[0];
  EXPECT_EQ(query.from_day, 20454);  // 2026-01-01
  EXPECT_EQ(query.to_day, 20454 + 364);
  EXPECT_EQ(query.agency, "sishui-msa");
  EXPECT_EQ(Body(report).at("format").as_string(), "evidence-supervision-report/1");
}

TEST_F(HandlersTest, SupervisionReportQueriesAreChecked) {
  for (const char* query : {"", "?from=2026-01-01", "?to=2026-01-01", "?from=2026-1-1&to=2026-02-01",
                            "?from=2026-02-30&to=2026-03-01", "?from=2026-03-01&to=2026-02-01",
                            "?from=2000-01-01&to=2026-01-01", "?from=2026-01-01&to=2026-02-01&agency=",
                            "?from=2026-01-01&to=2026-02-01&colour=red"}) {
    HttpResponse refused = Call("GET", std::string("/v1/reports/supervision") + query, "",
                                "Bearer supervisor-token");
    EXPECT_EQ(refused.status, 400) << query;
    EXPECT_EQ(ProblemOf(refused), "bad-request") << query;
  }
  EXPECT_TRUE(service_.report_queries().empty());
  // One report at a time: the service's "busy" is 429 with Retry-After.
  service_.set_report_busy(true);
  HttpResponse busy = Call("GET", "/v1/reports/supervision?from=2026-01-01&to=2026-01-31", "",
                           "Bearer supervisor-token");
  EXPECT_EQ(busy.status, 429);
  EXPECT_NE(Header(busy, "Retry-After"), "");
}

TEST_F(HandlersTest, ASupervisionReportIsMadeOffTheHttpThreadOneAtATime) {
  const std::string target = "/v1/reports/supervision?from=2026-01-01&to=2026-01-31";
  service_.HoldReports();
  std::promise<HttpResponse> first;
  router_.Dispatch(HttpRequest{"GET", target, "Bearer supervisor-token", "", ""},
                   [&first](HttpResponse response) { first.set_value(std::move(response)); });
  // Dispatch has returned while the report is still being made: the HTTP thread is free.
  service_.WaitForReports(1);
  EXPECT_NE(service_.report_threads()[0], std::this_thread::get_id());
  EXPECT_EQ(Call("GET", "/v1/status").status, 200);
  // A second report meanwhile is refused at once, not queued behind the first.
  HttpResponse second = Call("GET", target, "", "Bearer supervisor-token");
  EXPECT_EQ(second.status, 429);
  EXPECT_NE(Header(second, "Retry-After"), "");
  EXPECT_EQ(service_.report_queries().size(), 1u);
  service_.ReleaseReports();
  HttpResponse made = first.get_future().get();
  EXPECT_EQ(made.status, 200) << made.body;
  // Once it is answered, the next one is made.
  EXPECT_EQ(Call("GET", target, "", "Bearer supervisor-token").status, 200);
  EXPECT_EQ(service_.report_queries().size(), 2u);
}

TEST_F(HandlersTest, StoppingCancelsTheReportAndRefusesNewOnes) {
  const std::string target = "/v1/reports/supervision?from=2026-01-01&to=2026-01-31";
  ASSERT_EQ(Call("GET", target, "", "Bearer supervisor-token").status, 200);
  const std::atomic<bool>* cancel = service_.report_queries().at(0).cancel;
  ASSERT_NE(cancel, nullptr);
  EXPECT_FALSE(cancel->load());
  handlers_.Stop();
  EXPECT_TRUE(cancel->load()) << "a report being made would now stop";
  HttpResponse refused = Call("GET", target, "", "Bearer supervisor-token");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(service_.report_queries().size(), 1u);
  handlers_.Stop();  // idempotent
}

// Public block routes show leaf hashes only: the records (case ids, titles that
// may name people) need a reader who may read cases; a wrong token is refused.
TEST_F(HandlersTest, BlockRecordsOnlyForReaders) {
  service_.Commit(std::string(Body(Call("POST", "/v1/records", RecordJson(30))).at("id").as_string()));
  for (const std::string target : {"/v1/blocks/1", "/v1/blocks?from=1"}) {
    HttpResponse open = Call("GET", target);
    ASSERT_EQ(open.status, 200) << target;
    EXPECT_EQ(open.body.find("records"), std::string::npos) << target;
    EXPECT_EQ(open.body.find("case_id"), std::string::npos) << target;
    EXPECT_NE(open.body.find("leaves"), std::string::npos) << target;
    HttpResponse reader = Call("GET", target, "", "Bearer court-token");
    ASSERT_EQ(reader.status, 200) << target;
    EXPECT_NE(reader.body.find("case_id"), std::string::npos) << target;
    HttpResponse wrong = Call("GET", target, "", "Bearer wrong");
    EXPECT_EQ(wrong.status, 401) << target;
    EXPECT_NE(Header(wrong, "WWW-Authenticate"), "") << target;
    HttpResponse press = Call("GET", target, "", "Bearer press-token");
    EXPECT_EQ(press.status, 403) << target;
    EXPECT_EQ(press.body.find("case_id"), std::string::npos) << target;
  }
}

TEST_F(HandlersTest, TheGovernanceRegisterIsServedAsTheServiceHasIt) {
  HttpResponse governance = Call("GET", "/v1/governance");
  ASSERT_EQ(governance.status, 200);
  EXPECT_EQ(governance.content_type, "application/json");
  EXPECT_EQ(boost::json::parse(governance.body).as_object(), service_.GetGovernance());
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/governance?x=1")), "bad-request");
}

std::string ActionJson(int seq, std::string_view fail = "") {
  boost::json::object action{{"v", 1},           {"chain_id", "test-chain"},
                             {"seq", seq},       {"action", "remove-agency"},
                             {"agency_id", "x"}, {"sigs", boost::json::array{}}};
  if (!fail.empty()) action["fail"] = fail;
  return boost::json::serialize(action);
}

TEST_F(HandlersTest, AGovernanceActionIsTakenOnceAndAnotherAtItsSeqIsABadSequence) {
  HttpResponse first = Call("POST", "/v1/governance", ActionJson(3));
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(first.content_type, "application/json");
  const boost::json::object answer = Body(first).as_object();
  EXPECT_EQ(answer.at("id").as_string(),
            FakeNodeService::IdOf(boost::json::parse(ActionJson(3)).as_object()));
  EXPECT_EQ(answer.at("seq").as_int64(), 3);
  EXPECT_FALSE(answer.at("already_known").as_bool());
  EXPECT_EQ(answer.at("status").as_string(), "pending");

  HttpResponse again = Call("POST", "/v1/governance", ActionJson(3));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(Body(again).at("already_known").as_bool());
  EXPECT_EQ(Body(again).at("id"), answer.at("id"));

  // Another action at the pending seq.
  boost::json::object other = boost::json::parse(ActionJson(3)).as_object();
  other["agency_id"] = "y";
  HttpResponse conflicting = Call("POST", "/v1/governance", boost::json::serialize(other));
  EXPECT_EQ(conflicting.status, 409);
  EXPECT_EQ(ProblemOf(conflicting), "bad-sequence");
  EXPECT_EQ(Body(conflicting).at("code").as_string(), "governance.bad_sequence");
  EXPECT_EQ(Body(conflicting).at("instance").as_string(), "/v1/governance");
  EXPECT_EQ(service_.state_changes(), 1u);
}

// Every refusal of the ledger's governance checks reaches the client as its own
// problem type and status, with the ledger's code, and changes nothing.
TEST_F(HandlersTest, EachGovernanceRefusalHasItsProblemType) {
  const struct {
    const char* code;
    const char* problem;
    int status;
  } cases[] = {
      {"governance.malformed", "invalid-governance-action", 400},
      {"governance.unknown_action", "unknown-action", 400},
      {"governance.chain_mismatch", "wrong-chain", 400},
      {"governance.not_governed", "not-governed", 409},
      {"governance.bad_sequence", "bad-sequence", 409},
      {"governance.unknown_admin_key", "unknown-admin-key", 400},
      {"governance.admin_key_revoked", "admin-key-revoked", 400},
      {"governance.bad_signature", "bad-signature", 400},
      {"governance.too_few_signatures", "too-few-signatures", 400},
      {"governance.unknown_entry", "unknown-entry", 400},
      {"governance.conflict", "governance-conflict", 409},
      {"governance.unsafe_validator_set", "unsafe-validator-set", 400},
  };
  for (const auto& c : cases) {
    HttpResponse refused = Call("POST", "/v1/governance", ActionJson(1, c.code));
    EXPECT_EQ(refused.status, c.status) << c.code;
    EXPECT_EQ(ProblemOf(refused), c.problem) << c.code;
    EXPECT_EQ(Body(refused).at("code").as_string(), c.code);
    EXPECT_EQ(Body(refused).at("status").as_int64(), c.status) << c.code;
    EXPECT_FALSE(Body(refused).as_object().contains("dry_run")) << c.code;
  }
  EXPECT_EQ(service_.state_changes(), 0u);
  // The refused seq is still free.
  EXPECT_EQ(Call("POST", "/v1/governance", ActionJson(1)).status, 202);
}

TEST_F(HandlersTest, AGovernanceDryRunChecksAndKeepsNothing) {
  HttpResponse dry = Call("POST", "/v1/governance?dry_run=1", ActionJson(2));
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_TRUE(Body(dry).at("dry_run").as_bool());
  EXPECT_TRUE(Body(dry).at("valid").as_bool());
  EXPECT_EQ(Body(dry).at("seq").as_int64(), 2);
  EXPECT_FALSE(Body(dry).as_object().contains("status"));
  HttpResponse refused =
      Call("POST", "/v1/governance?dry_run=true", ActionJson(2, "governance.too_few_signatures"));
  EXPECT_EQ(ProblemOf(refused), "too-few-signatures");
  EXPECT_TRUE(Body(refused).at("dry_run").as_bool());
  EXPECT_EQ(service_.state_changes(), 0u);
  // Kept nothing: the real submission is new.
  EXPECT_EQ(Call("POST", "/v1/governance", ActionJson(2)).status, 202);
}

// Input the handler refuses before the service sees it.
TEST_F(HandlersTest, ABadGovernanceRequestNeverReachesTheService) {
  const struct {
    const char* target;
    std::string body;
    const char* content_type;
    const char* problem;
  } cases[] = {
      {"/v1/governance", "{\"seq\":1,", "application/json", "malformed-json"},
      {"/v1/governance", "", "application/json", "malformed-json"},
      {"/v1/governance", "[1]", "application/json", "wrong-type"},
      {"/v1/governance", "{\"seq\":1,\"seq\":2}", "application/json", "duplicate-key"},
      {"/v1/governance", "{\"seq\":1.5}", "application/json", "float-not-allowed"},
      {"/v1/governance", ActionJson(1), "application/pdf", "unsupported-media-type"},
      // Over four times an action's 16 KiB: refused before it is parsed.
      {"/v1/governance", "{\"seq\":1,\"pad\":\"" + std::string(64 * 1024, 'x') + "\"}",
       "application/json", "too-large"},
      {"/v1/governance?x=1", ActionJson(1), "application/json", "bad-request"},
      {"/v1/governance?dry_run=2", ActionJson(1), "application/json", "bad-request"},
      {"/v1/governance?wait=commit", ActionJson(1), "application/json", "bad-request"},
  };
  for (const auto& c : cases) {
    HttpResponse refused = Call("POST", c.target, c.body, "", c.content_type);
    EXPECT_EQ(ProblemOf(refused), c.problem) << c.target << " " << c.body << ": " << refused.body;
  }
  EXPECT_EQ(service_.submissions(), 0u);
  EXPECT_EQ(ProblemOf(Call("PUT", "/v1/governance", ActionJson(1))), "method-not-allowed");
}

TEST_F(HandlersTest, AgenciesAndValidatorsAreTheRegistersLists) {
  const boost::json::object governance = service_.GetGovernance();
  for (const char* list : {"agencies", "validators"}) {
    HttpResponse answer = Call("GET", std::string("/v1/") + list);
    ASSERT_EQ(answer.status, 200) << list;
    const boost::json::object body = Body(answer).as_object();
    EXPECT_EQ(body.at("height"), governance.at("height")) << list;
    EXPECT_EQ(body.at("state_hash"), governance.at("state_hash")) << list;
    EXPECT_EQ(body.at(list), governance.at("register").at(list)) << list;
    EXPECT_EQ(body.size(), 3u) << list;
    EXPECT_EQ(ProblemOf(Call("GET", std::string("/v1/") + list + "?x=1")), "bad-request") << list;
  }
}

TEST_F(HandlersTest, GenesisIsServedAsTheServiceHasIt) {
  HttpResponse genesis = Call("GET", "/v1/genesis");
  ASSERT_EQ(genesis.status, 200);
  EXPECT_EQ(genesis.content_type, "application/json");
  EXPECT_EQ(genesis.body, service_.GetGenesisJson());
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/genesis?x=1")), "bad-request");
}

TEST_F(HandlersTest, BlocksTreeHeadAndConsistency) {
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/tree-head")), "not-found");
  for (int n = 20; n < 23; ++n) {
    service_.Commit(
        std::string(Body(Call("POST", "/v1/records", RecordJson(n))).at("id").as_string()));
  }
  EXPECT_EQ(Body(Call("GET", "/v1/blocks/2")).at("height").as_int64(), 2);
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/blocks/9")), "not-found");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/blocks/-1")), "bad-request");
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/blocks/1x")), "bad-request");
  HttpResponse page = Call("GET", "/v1/blocks?from=1&limit=2");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(Body(page).at("blocks").as_array().size(), 2u);
  EXPECT_EQ(Body(page).at("next_from").as_int64(), 3);
  EXPECT_TRUE(Body(Call("GET", "/v1/blocks?from=3")).at("next_from").is_null());
  EXPECT_EQ(Body(Call("GET", "/v1/blocks")).at("blocks").as_array().size(), 3u);
  for (const char* bad :
       {"/v1/blocks?limit=0", "/v1/blocks?limit=1001", "/v1/blocks?from=x", "/v1/blocks?size=2"}) {
    EXPECT_EQ(ProblemOf(Call("GET", bad)), "bad-request") << bad;
  }
  HttpResponse head = Call("GET", "/v1/tree-head");
  ASSERT_EQ(head.status, 200);
  EXPECT_EQ(Body(head).at("size").as_int64(), 3);
  EXPECT_EQ(Body(head).at("height").as_int64(), 3);
  EXPECT_EQ(Body(head).at("root").as_string().size(), 64u);
  EXPECT_TRUE(Body(head).at("commit").is_object());
  HttpResponse proof = Call("GET", "/v1/consistency?from=1&to=3");
  ASSERT_EQ(proof.status, 200);
  EXPECT_EQ(Body(proof).at("proof").as_array().size(), 2u);
  EXPECT_EQ(ProblemOf(Call("GET", "/v1/consistency?from=1&to=9")), "not-found");
  for (const char* bad :
       {"/v1/consistency", "/v1/consistency?from=2", "/v1/consistency?from=3&to=2",
        "/v1/consistency?from=0&to=2", "/v1/consistency?from=a&to=2"}) {
    EXPECT_EQ(ProblemOf(Call("GET", bad)), "bad-request") << bad;
  }
}

TEST_F(HandlersTest, StatusHealthReadinessMetricsAndOpenApi) {
  EXPECT_EQ(Body(Call("GET", "/v1/status")).at("chain_id").as_string(), "test-chain");
  EXPECT_EQ(Body(Call("GET", "/healthz")).at("status").as_string(), "ok");
  EXPECT_EQ(Call("GET", "/readyz").status, 200);
  service_.set_ready(false);
  HttpResponse not_ready = Call("GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(ProblemOf(not_ready), "not-ready");
  HttpResponse metrics = Call("GET", "/metrics");
  EXPECT_EQ(metrics.content_type, metrics::kPrometheusContentType);
  EXPECT_NE(metrics.body.find("evidence_http_requests_total{route=\"/readyz\",code=\"503\"} 1"),
            std::string::npos)
      << metrics.body;
  HttpResponse openapi = Call("GET", "/openapi.yaml");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_EQ(openapi.content_type, "application/yaml");
  EXPECT_EQ(openapi.body, OpenApiYaml());
  EXPECT_EQ(openapi.body.rfind("openapi: 3.0", 0), 0u);
}

TEST_F(HandlersTest, AnExceptionInsideTheServiceIs500InternalNotACrash) {
  service_.set_throw_in_status(true);
  HttpResponse response = Call("GET", "/v1/status");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(ProblemOf(response), "internal");
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

// Found by fuzz_http_api: a method that is not valid UTF-8 was echoed into the
// 405 problem's detail byte for byte, and the body was not valid JSON.
TEST_F(HandlersTest, RegressionMethodWithInvalidUtf8GivesAParsableProblem) {
  HttpResponse response = Call("GET\x96\x96", "/readyz");
  EXPECT_EQ(response.status, 405);
  boost::system::error_code error;
  boost::json::value body = boost::json::parse(response.body, error);
  ASSERT_FALSE(error) << response.body;
  EXPECT_EQ(body.at("detail").as_string(), "GET%96%96 is not allowed here; use GET");
}

TEST_F(HandlersTest, WrongMethodIs405WithAllowAndUnknownRouteIs404) {
  HttpResponse wrong = Call("GET", "/v1/records");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(ProblemOf(wrong), "method-not-allowed");
  EXPECT_EQ(Header(wrong, "Allow"), "POST");
  EXPECT_EQ(Header(Call("DELETE", "/v1/records/abc"), "Allow"), "GET");
  EXPECT_EQ(Call("PUT", "/healthz").status, 405);
  for (const char* path : {"/", "/v1", "/v1/records/", "/v1/records/a/b", "/v2/status",
                           "/V1/status", "/v1/status/", "/v1//records"}) {
    HttpResponse response = Call("GET", path);
    EXPECT_EQ(response.status, path == std::string("/v1/records/") ? 404 : 404) << path;
    EXPECT_EQ(ProblemOf(response), "not-found") << path;
  }
  EXPECT_EQ(ProblemOf(Call("GET", "*")), "bad-request");
  EXPECT_EQ(http_requests_.value({"unmatched", "404"}), 8u);
}

}  // namespace
}  // namespace evidence::api

namespace evidence::api {
namespace {

TEST_F(HandlersTest, ADryRunAnswersWhatASubmissionWouldAndChangesNothing) {
  HttpResponse dry = Call("POST", "/v1/records?dry_run=1", RecordJson(1));
  EXPECT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(Body(dry).at("dry_run").as_bool(), true);
  EXPECT_EQ(Body(dry).at("valid").as_bool(), true);
  EXPECT_EQ(Body(dry).at("id").as_string().size(), 64u);
  EXPECT_EQ(Body(dry).at("signing_bytes_sha256").as_string().size(), 64u);
  EXPECT_EQ(service_.state_changes(), 0u);
  boost::json::object bad = boost::json::parse(RecordJson(2)).as_object();
  bad["fail"] = "record.bad_signature";
  HttpResponse refused = Call("POST", "/v1/records?dry_run=true", boost::json::serialize(bad));
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(ProblemOf(refused), "bad-signature");
  EXPECT_EQ(Body(refused).at("dry_run").as_bool(), true);
  EXPECT_EQ(Body(refused).at("code").as_string(), "record.bad_signature");
  EXPECT_EQ(Body(refused).at("record_id").as_string(), FakeNodeService::IdOf(bad));
  HttpResponse batch = Call("POST", "/v1/batches?dry_run=1",
                            "{\"records\":[" + RecordJson(3) + "," + RecordJson(4) + "]}");
  EXPECT_EQ(batch.status, 200) << batch.body;
  EXPECT_EQ(Body(batch).at("records").as_array().size(), 2u);
  EXPECT_EQ(service_.state_changes(), 0u);
  const size_t submissions = service_.submissions();
  for (const char* target : {"/v1/records?dry_run=1&wait=commit", "/v1/records?dry_run=2",
                             "/v1/records?dry_run=1&dry_run=1"}) {
    HttpResponse wrong = Call("POST", target, RecordJson(5));
    EXPECT_EQ(ProblemOf(wrong), "bad-request") << target;
  }
  EXPECT_EQ(service_.submissions(), submissions) << "refused before the service is asked";
}

TEST_F(HandlersTest, ARefusalCarriesTheDetailsTheServiceComputed) {
  boost::json::object bad = boost::json::parse(RecordJson(1)).as_object();
  bad["fail"] = "record.case_id_not_canonical";
  HttpResponse refused = Call("POST", "/v1/records", boost::json::serialize(bad));
  EXPECT_EQ(ProblemOf(refused), "case-id-not-canonical");
  const boost::json::object body = Body(refused).as_object();
  EXPECT_EQ(body.at("record_id").as_string(), FakeNodeService::IdOf(bad));
  EXPECT_EQ(body.at("code").as_string(), "record.case_id_not_canonical");
  EXPECT_FALSE(body.contains("dry_run"));
  EXPECT_EQ(body.at("status").as_int64(), 400) << "extensions never replace standard members";
  bad["fail"] = "record.bad_link";
  EXPECT_EQ(ProblemOf(Call("POST", "/v1/records", boost::json::serialize(bad))), "bad-link");
}

TEST(RateLimitTest, AnAgencyOverItsRateGets429AndRefusedRecordsCostNothing) {
  FakeNodeService service;
  CommitWaiter waiter(service);
  HandlerOptions options;
  options.agency_records_per_second = 0.001;  // no refill within the test
  options.agency_burst_records = 3;
  ApiHandlers handlers(service, waiter, nullptr, options);
  Router router;
  handlers.Register(router);
  auto call = [&](const std::string& target, const std::string& body) {
    std::promise<HttpResponse> promise;
    router.Dispatch(HttpRequest{"POST", target, "", "application/json", body},
                    [&](HttpResponse response) { promise.set_value(std::move(response)); });
    return promise.get_future().get();
  };
  auto record = [](const char* agency, int n) {
    return boost::json::serialize(boost::json::object{{"agency", agency}, {"n", n}});
  };
  // Refused records (bad signature) and repeats are not charged.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(call("/v1/records", R"({"agency":"a","fail":"record.bad_signature"})").status, 400);
  }
  EXPECT_EQ(call("/v1/records", record("a", 1)).status, 202);
  EXPECT_EQ(call("/v1/records", record("a", 1)).status, 200);
  EXPECT_EQ(call("/v1/records", record("a", 2)).status, 202);
  EXPECT_EQ(call("/v1/records", record("a", 3)).status, 202);
  const HttpResponse limited = call("/v1/records", record("a", 4));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(boost::json::parse(limited.body).at("type").as_string(),
            ProblemTypeUri(ProblemType::kTooMany));
  bool has_retry_after = false;
  for (const auto& [name, value] : limited.headers) has_retry_after |= name == "Retry-After";
  EXPECT_TRUE(has_retry_after);
  EXPECT_EQ(call("/v1/records", record("b", 1)).status, 202);  // other agencies are unaffected
  // A batch costs one token per record.
  const std::string batch = "{\"records\":[" + record("c", 1) + "," + record("c", 2) + "," +
                            record("c", 3) + "," + record("c", 4) + "]}";
  EXPECT_EQ(call("/v1/batches", batch).status, 202);  // a full bucket admits one oversize batch
  EXPECT_EQ(call("/v1/records", record("c", 5)).status, 429);
  EXPECT_EQ(service.state_changes(), 8u);
}

TEST_F(HandlersTest, GovernanceBlocksArePagedFromAHeight) {
  HttpResponse empty = Call("GET", "/v1/governance/blocks");
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(Body(empty).at("blocks").as_array().empty());
  EXPECT_TRUE(Body(empty).at("next_from").is_null());
  EXPECT_EQ(service_.last_governance_limit(), limits::kGovernanceBlocksPageDefault);
  for (uint64_t height : {4, 9, 15}) service_.AddGovernanceBlock(height);
  HttpResponse first = Call("GET", "/v1/governance/blocks?from=1&limit=2");
  ASSERT_EQ(first.status, 200);
  const boost::json::value first_body = Body(first);
  const boost::json::array& blocks = first_body.at("blocks").as_array();
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].at("block").at("height").as_int64(), 4);
  EXPECT_EQ(blocks[1].at("block").at("height").as_int64(), 9);
  EXPECT_TRUE(blocks[1].at("commit").is_object());
  EXPECT_TRUE(blocks[1].at("actions").is_array());
  EXPECT_EQ(first_body.at("next_from").as_int64(), 15);
  HttpResponse rest = Call("GET", "/v1/governance/blocks?from=15");
  EXPECT_EQ(Body(rest).at("blocks").as_array().size(), 1u);
  EXPECT_TRUE(Body(rest).at("next_from").is_null());
  EXPECT_EQ(Body(Call("GET", "/v1/governance/blocks?from=10")).at("blocks").as_array().size(), 1u);
  EXPECT_EQ(service_.last_governance_limit(), limits::kGovernanceBlocksPageDefault);
  EXPECT_EQ(Call("GET", "/v1/governance/blocks?limit=256").status, 200);
  const size_t changes = service_.state_changes();
  for (const char* bad : {"/v1/governance/blocks?limit=0", "/v1/governance/blocks?limit=257",
                          "/v1/governance/blocks?from=x", "/v1/governance/blocks?from=-1",
                          "/v1/governance/blocks?to=3"}) {
    EXPECT_EQ(ProblemOf(Call("GET", bad)), "bad-request") << bad;
  }
  EXPECT_EQ(service_.state_changes(), changes);
}

TEST(OpenApiTest, DescribesEveryRouteAndEveryProblemType) {
  const std::string_view yaml = OpenApiYaml();
  for (const char* path :
       {"  /v1/records:\n    post:", "  /v1/batches:\n    post:", "  /v1/records/{id}:\n    get:",
        "  /v1/digests/{digest}:\n    get:", "  /v1/cases/{case_id}:\n    get:",
        "  /v1/blocks/{height}:\n    get:", "  /v1/blocks:\n    get:", "  /v1/tree-head:\n    get:",
        "  /v1/genesis:\n    get:", "  /v1/governance:\n    get:",
        "  /v1/governance/blocks:\n    get:", "  /:\n    get:",
        "  /v1/consistency:\n    get:", "  /v1/status:\n    get:", "  /healthz:\n    get:",
        "  /readyz:\n    get:", "  /metrics:\n    get:", "  /openapi.yaml:\n    get:"}) {
    EXPECT_NE(yaml.find(path), std::string_view::npos) << path;
  }
  for (ProblemType type : kAllProblemTypes) {
    EXPECT_NE(yaml.find("- " + ProblemTypeUri(type) + "\n"), std::string_view::npos)
        << ProblemName(type);
  }
}

}  // namespace
}  // namespace evidence::api
