// Every route of the API × every kind of caller (issue 17, findings 3 and 8):
// anonymous, a wrong token, a reader of each role of ledger/roles.h, a reader
// of an unknown role. Checks who gets 401 / 403, that without the right to see
// records no answer carries another record's case id, title, stage, agency or
// links, and that docs/api.md's access table has a row for every route. A new
// route fails this test until it has a sample request here and a row there.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <future>
#include <map>
#include <sstream>

#include "api/http/handlers.h"
#include "api/http/portal.h"
#include "api/http/web_assets.h"
#include "common/metrics.h"
#include "fake_node_service.h"
#include "ledger/roles.h"

namespace evidence::api {
namespace {

using testing::FakeNodeService;

std::string Hex(char c) { return std::string(64, c); }

boost::json::object Record(std::string case_id, std::string title, std::string stage,
                           std::string agency, char digest, boost::json::array links) {
  return boost::json::object{{"v", 1},
                             {"kind", "enforcement_record"},
                             {"case_id", case_id},
                             {"title", title},
                             {"stage", stage},
                             {"agency", agency},
                             {"digest", "sha256:" + Hex(digest)},
                             {"links", links}};
}

struct Credential {
  std::string name;
  std::string authorization;
  std::optional<std::string> role;  // the reader's, when the token is known
};

// A request that exercises a route, and the row of docs/api.md that names it.
struct Sample {
  std::string doc_route;  // e.g. "GET /v1/records/{id}"
  std::vector<std::pair<std::string, std::string>> requests;  // target, body
};

class AccessTest : public ::testing::Test {
 protected:
  AccessTest() {
    handlers_.Register(router_);
    RegisterPortal(router_);
    // Secret: two records of a case nobody without a reader credential may see.
    other_ = FakeNodeService::IdOf(Record("SECRET-CASE", "SECRET-TITLE", "secretstage",
                                          "secret-agency", 'b', {}));
    asked_ = Submit(Record("SECRET-CASE", "SECRET-TITLE", "secretstage", "secret-agency", 'a',
                           boost::json::array{other_}));
    EXPECT_EQ(Submit(Record("SECRET-CASE", "SECRET-TITLE", "secretstage", "secret-agency", 'b', {})),
              other_);
    service_.Commit(asked_);
    service_.Commit(other_);
    Submit(Record("SECRET-CASE", "SECRET-TITLE", "secretstage", "secret-agency", 'c', {}));  // pending
    credentials_.push_back({"anonymous", "", std::nullopt});
    credentials_.push_back({"wrong token", "Bearer not-a-token", std::nullopt});
    credentials_.push_back({"basic auth", "Basic YTpi", std::nullopt});
    for (const ledger::ReaderRole& role : ledger::ReaderRoles()) {
      const std::string token = std::string(role.name) + "-token";
      service_.AddReader(token, Reader{std::string(role.name) + "-1", std::string(role.name)});
      credentials_.push_back({std::string(role.name), "Bearer " + token, std::string(role.name)});
    }
    service_.AddReader("press-token", Reader{"press-1", "press"});
    credentials_.push_back({"unknown role", "Bearer press-token", "press"});
  }

  std::string Submit(const boost::json::object& record) {
    HttpResponse answer = Call("POST", "/v1/records", boost::json::serialize(record), "");
    EXPECT_EQ(answer.status, 202) << answer.body;
    return std::string(boost::json::parse(answer.body).at("id").as_string());
  }

  HttpResponse Call(std::string method, std::string target, std::string body,
                    std::string authorization) {
    std::promise<HttpResponse> promise;
    // A cosignature is a signed note (text/plain); everything else sent is JSON.
    const std::string content_type =
        target.rfind("/v1/cosignatures", 0) == 0 ? "text/plain" : "application/json";
    router_.Dispatch(HttpRequest{std::move(method), std::move(target), std::move(authorization),
                                 content_type, std::move(body), {}},
                     [&promise](HttpResponse response) { promise.set_value(std::move(response)); });
    return promise.get_future().get();
  }

  // Samples by "METHOD pattern". Submissions carry the caller's own records;
  // the digest look-up names a document the caller holds ('d', its own).
  std::map<std::string, Sample> Samples() {
    const std::string own_record = boost::json::serialize(
        Record("OWN-CASE", "own title", "filing", "own-agency", 'd', {}));
    const std::string own_batch = "{\"records\":[" +
                                  boost::json::serialize(Record("OWN-CASE", "own title", "filing",
                                                                "own-agency", 'e', {})) +
                                  "]}";
    std::map<std::string, Sample> samples = {
        {"POST /v1/records", {"POST /v1/records", {{"/v1/records", own_record}}}},
        {"POST /v1/batches", {"POST /v1/batches", {{"/v1/batches", own_batch}}}},
        {"GET /v1/records/{}",
         {"GET /v1/records/{id}",
          {{"/v1/records/" + asked_, ""},
           {"/v1/records/" + asked_ + "?digest=sha256:" + Hex('b'), ""}}}},  // another's digest
        {"GET /v1/digests/{}", {"GET /v1/digests/{alg}:{hex}", {{"/v1/digests/sha256:" + Hex('d'), ""}}}},
        {"GET /v1/cases/{}", {"GET /v1/cases/{case_id}", {{"/v1/cases/SECRET-CASE", ""}}}},
        {"GET /v1/blocks/{}", {"GET /v1/blocks/{height}", {{"/v1/blocks/1", ""}, {"/v1/blocks/2", ""}}}},
        {"GET /v1/blocks", {"GET /v1/blocks", {{"/v1/blocks?from=1", ""}}}},
        {"GET /v1/tree-head", {"GET /v1/tree-head", {{"/v1/tree-head", ""}}}},
        {"GET /v1/consistency", {"GET /v1/consistency", {{"/v1/consistency?from=1&to=2", ""}}}},
        {"GET /v1/status", {"GET /v1/status", {{"/v1/status", ""}}}},
        {"GET /readyz", {"GET /readyz", {{"/readyz", ""}}}},
        {"GET /healthz", {"GET /healthz", {{"/healthz", ""}}}},
        {"GET /openapi.yaml", {"GET /openapi.yaml", {{"/openapi.yaml", ""}}}},
        {"GET /metrics", {"GET /metrics", {{"/metrics", ""}}}},
        {"GET /v1/genesis", {"GET /v1/genesis", {{"/v1/genesis", ""}}}},
        {"GET /v1/governance", {"GET /v1/governance", {{"/v1/governance", ""}}}},
        {"GET /v1/governance/blocks",
         {"GET /v1/governance/blocks", {{"/v1/governance/blocks?from=1", ""}}}},
        {"POST /v1/governance",
         {"POST /v1/governance", {{"/v1/governance", R"({"seq":1})"}}}},
        {"GET /v1/agencies", {"GET /v1/agencies", {{"/v1/agencies", ""}}}},
        {"GET /v1/validators", {"GET /v1/validators", {{"/v1/validators", ""}}}},
        {"GET /v1/records/{}/timestamp",
         {"GET /v1/records/{id}/timestamp", {{"/v1/records/" + asked_ + "/timestamp", ""}}}},
        {"GET /checkpoint", {"GET /checkpoint", {{"/checkpoint", ""}}}},
        // The fake stores notes starting "good" (a witness's cosignature).
        {"POST /v1/cosignatures", {"POST /v1/cosignatures", {{"/v1/cosignatures", "good note\n"}}}},
        {"POST /v1/anchors", {"POST /v1/anchors", {{"/v1/anchors", "good anchor"}}}},
        {"GET /v1/anchors", {"GET /v1/anchors", {{"/v1/anchors", ""}}}},
        {"GET /v1/reports/supervision",
         {"GET /v1/reports/supervision",
          {{"/v1/reports/supervision?from=2026-01-01&to=2026-12-31", ""}}}},
    };
    // The portal's static pages and assets: one row of the table for them all.
    for (const WebPage& page : WebPages()) {
      std::string target(page.route);
      if (const size_t param = target.find("{}"); param != std::string::npos) {
        target.replace(param, 2, asked_);
      }
      samples["GET " + std::string(page.route)] = {"GET /", {{target, ""}}};
    }
    for (const WebFile& file : WebFiles()) {
      samples["GET " + std::string(file.path)] = {"GET /", {{std::string(file.path), ""}}};
    }
    return samples;
  }

  // What a caller without the right to see records must never get.
  std::vector<std::string> Secrets() const {
    return {"SECRET-CASE", "SECRET-TITLE", "secretstage", "secret-agency", other_};
  }

  FakeNodeService service_;
  metrics::Registry registry_;
  CommitWaiter waiter_{service_};
  ApiHandlers handlers_{service_, waiter_, &registry_};
  Router router_;
  std::string asked_;  // a committed record whose links name `other_`
  std::string other_;
  std::vector<Credential> credentials_;
};

TEST_F(AccessTest, EveryRouteTimesEveryCaller) {
  const std::map<std::string, Sample> samples = Samples();
  size_t checked = 0;
  for (const Router::RouteInfo& route : router_.routes()) {
    const std::string key = route.method + " " + route.pattern;
    auto sample = samples.find(key);
    ASSERT_NE(sample, samples.end()) << "add a sample request for the new route " << key
                                     << " to this test (and a row to docs/api.md)";
    const std::optional<ledger::ReaderRight> required = RequiredRight(route.access);
    for (const Credential& credential : credentials_) {
      for (const auto& [target, body] : sample->second.requests) {
        const HttpResponse answer = Call(route.method, target, body, credential.authorization);
        const std::string where = key + " " + target + " as " + credential.name + " (" +
                                  std::string(AccessName(route.access)) + "): HTTP " +
                                  std::to_string(answer.status) + " " + answer.body.substr(0, 300);
        ++checked;
        const bool bearer = credential.authorization.rfind("Bearer ", 0) == 0;
        if (bearer && !credential.role) {
          EXPECT_EQ(answer.status, 401) << where;  // a wrong token is told, on every route
          continue;
        }
        const bool may_records =
            credential.role && ledger::RoleMay(*credential.role, ledger::ReaderRight::kRecords);
        // A reader is refused where its role lacks the right it needs (or the
        // right to see more than the public); without a credential, 401 where a
        // right is required (a record without its document's digest, too).
        const std::optional<ledger::ReaderRight> reader_right = ReaderRightOf(route.access);
        int expected = 0;  // 0: any success
        if (credential.role && reader_right && !ledger::RoleMay(*credential.role, *reader_right)) {
          expected = 403;
        } else if (!credential.role && (required || route.access == Access::kRecordHolder)) {
          expected = 401;
        } else if (required) {
          expected = 200;
        }
        if (expected != 0) {
          EXPECT_EQ(answer.status, expected) << where;
        } else {
          EXPECT_LT(answer.status, 400) << where;
        }
        if (!may_records) {
          for (const std::string& secret : Secrets()) {
            if (target.find(secret) != std::string::npos) continue;  // its own words echoed
            EXPECT_EQ(answer.body.find(secret), std::string::npos)
                << where << "\n  carries " << secret;
          }
        }
      }
    }
  }
  EXPECT_GE(checked, router_.routes().size() * credentials_.size());
}

TEST_F(AccessTest, ReadersWhoMayReadRecordsSeeWhatOthersDoNot) {
  // The positive control: what the walk above found missing is really there.
  for (const std::string& target : {"/v1/records/" + asked_, std::string("/v1/blocks/1"),
                                    std::string("/v1/blocks?from=1")}) {
    const HttpResponse court = Call("GET", target, "", "Bearer court-token");
    ASSERT_EQ(court.status, 200) << target;
    EXPECT_NE(court.body.find("SECRET-CASE"), std::string::npos) << target;
    const HttpResponse anonymous = Call("GET", target, "", "");
    EXPECT_EQ(anonymous.body.find("SECRET-CASE"), std::string::npos) << target;
  }
  // The public block carries the leaf hashes, which its header commits to.
  const auto block = boost::json::parse(Call("GET", "/v1/blocks/1", "", "").body);
  EXPECT_EQ(block.at("leaves").as_array().size(), 1u);
  EXPECT_FALSE(block.as_object().contains("records"));
  // Whoever holds the document (names its digest) sees its record, links and all.
  const HttpResponse holder = Call("GET", "/v1/digests/sha256:" + Hex('a'), "", "");
  ASSERT_EQ(holder.status, 200);
  EXPECT_NE(holder.body.find("SECRET-CASE"), std::string::npos);
  const HttpResponse by_id = Call("GET", "/v1/records/" + asked_ + "?digest=sha256:" + Hex('a'), "", "");
  ASSERT_EQ(by_id.status, 200);
  EXPECT_NE(by_id.body.find(other_), std::string::npos);  // its link
  // ... but a link leads nowhere without a credential or that record's document.
  const HttpResponse followed = Call("GET", "/v1/records/" + other_ + "?digest=sha256:" + Hex('a'), "", "");
  EXPECT_EQ(followed.status, 401);
  EXPECT_EQ(followed.body.find("SECRET-CASE"), std::string::npos);
}

TEST_F(AccessTest, ApiMdHasARowForEveryRouteAndEveryRole) {
  std::ifstream file(std::string(EVIDENCE_SOURCE_DIR) + "/docs/api.md");
  ASSERT_TRUE(file) << "docs/api.md";
  std::stringstream text;
  text << file.rdbuf();
  const std::string doc = text.str();
  const size_t table = doc.find("### Access table");
  ASSERT_NE(table, std::string::npos) << "docs/api.md has no '### Access table' section";
  const std::string section = doc.substr(table, doc.find("\n## ", table) - table);
  const std::map<std::string, Sample> samples = Samples();
  for (const Router::RouteInfo& route : router_.routes()) {
    const std::string& doc_route = samples.at(route.method + " " + route.pattern).doc_route;
    EXPECT_NE(section.find("| `" + doc_route + "`"), std::string::npos)
        << "the access table in docs/api.md has no row for " << doc_route;
  }
  for (const ledger::ReaderRole& role : ledger::ReaderRoles()) {
    EXPECT_NE(section.find("`" + std::string(role.name) + "`"), std::string::npos)
        << "the access table in docs/api.md has no column for the role " << role.name;
  }
}

}  // namespace
}  // namespace evidence::api
