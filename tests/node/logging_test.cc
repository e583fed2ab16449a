#include "node/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace evidence::node {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

TEST(LogFieldsTest, KeyValueWordsBecomeMembersNumbersAndQuotedTextIncluded) {
  json::object fields = LogFieldsToJson(
      "event=block_committed height=12 round=0 records=3 log_size=40 time_ms=1795537359730");
  EXPECT_EQ(json::serialize(fields),
            R"({"event":"block_committed","height":12,"round":0,"records":3,"log_size":40,)"
            R"("time_ms":1795537359730})");
  fields = LogFieldsToJson(
      R"(event=start_failed reason="node.toml: api.threads must be an integer 1..64")");
  EXPECT_EQ(fields.at("reason").as_string(), "node.toml: api.threads must be an integer 1..64");
}

TEST(LogFieldsTest, QuotesInsideAReasonStayInIt) {
  json::object fields = LogFieldsToJson(
      R"(event=start_failed reason="p2p.peers names "xyz", no validator" peer=court)");
  EXPECT_EQ(fields.at("reason").as_string(), R"(p2p.peers names "xyz", no validator)");
  EXPECT_EQ(fields.at("peer").as_string(), "court");
}

TEST(LogFieldsTest, WordsThatAreNotFieldsGoToMessageAndOddValuesStayStrings) {
  json::object fields =
      LogFieldsToJson("wal: truncating torn tail path=/x offset=007 bytes=12 id=0 big=1234567890123456");
  EXPECT_EQ(fields.at("message").as_string(), "wal: truncating torn tail");
  EXPECT_EQ(fields.at("path").as_string(), "/x");
  EXPECT_EQ(fields.at("offset").as_string(), "007") << "a leading zero is not a number";
  EXPECT_EQ(fields.at("bytes").as_int64(), 12);
  EXPECT_EQ(fields.at("id").as_int64(), 0);
  EXPECT_EQ(fields.at("big").as_string(), "1234567890123456") << "beyond 15 digits";
  EXPECT_EQ(LogFieldsToJson(R"(reason="unterminated)").at("reason").as_string(), "\"unterminated");
  EXPECT_TRUE(LogFieldsToJson("").empty());
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// logrotate moves the file away, then the node gets SIGHUP: later lines go to
// a new file of the same name.
TEST(LogOutputTest, JsonLinesToAFileThatReopenFollowsAfterAMove) {
  fs::path dir = fs::temp_directory_path() / ("logging-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "node.log";
  auto output = LogOutput::SetUp(true, file.string());
  ASSERT_TRUE(output.ok()) << output.status().ToString();
  spdlog::info("event=first height=1 reason=\"a b\"");
  spdlog::default_logger()->flush();
  fs::rename(file, dir / "node.log.1");
  spdlog::info("event=second");
  (*output)->Reopen();
  spdlog::info("event=third");
  spdlog::default_logger()->flush();

  std::string rotated = ReadFile(dir / "node.log.1");
  std::string current = ReadFile(file);
  EXPECT_NE(rotated.find("\"event\":\"first\""), std::string::npos) << rotated;
  EXPECT_NE(rotated.find("\"event\":\"second\""), std::string::npos) << "before the reopen";
  EXPECT_NE(current.find("\"event\":\"third\""), std::string::npos) << current;
  EXPECT_EQ(current.find("\"event\":\"second\""), std::string::npos);
  std::istringstream lines(rotated);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  json::object first = json::parse(line).as_object();
  EXPECT_EQ(first.at("level").as_string(), "info");
  EXPECT_EQ(first.at("height").as_int64(), 1);
  EXPECT_EQ(first.at("reason").as_string(), "a b");
  EXPECT_TRUE(first.at("time").is_string());
  EXPECT_EQ((fs::status(file).permissions() & fs::perms::others_all), fs::perms::none);

  auto unwritable = LogOutput::SetUp(true, (dir / "missing-dir" / "node.log").string());
  EXPECT_FALSE(unwritable.ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace evidence::node
