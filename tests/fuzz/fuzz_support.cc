#include "tests/fuzz/fuzz_support.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "common/check.h"

namespace evidence::fuzz {
namespace {

class Scratch {
 public:
  Scratch() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/evidence-fuzz-XXXXXX";
    EVIDENCE_CHECK(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

const ledger::testing::TestChain& FixedChain() {
  static const auto* chain = new ledger::testing::TestChain([] {
    ledger::testing::TestChainOptions options;
    options.fixed_keys = true;
    return options;
  }());
  return *chain;
}

const std::vector<FixedStep>& FixedHistory() {
  static const auto* history = [] {
    auto* steps = new std::vector<FixedStep>();
    ledger::testing::TestChainOptions options;
    options.fixed_keys = true;
    ledger::testing::TestChain chain(options);
    auto ids = std::make_shared<std::set<crypto::Digest>>();
    const std::vector<std::vector<ledger::Record>> blocks = {
        {chain.MakeRecord(0, "(2026)鲁0831行罚1号", 1),
         chain.MakeRecord(1, "(2026)鲁0831行复2号", 2)},
        {},
        {},
    };
    for (size_t i = 0; i < blocks.size(); ++i) {
      std::vector<ledger::Record> records = blocks[i];
      if (i == 1) records = chain.MakeBatch(0, "(2026)鲁0831行罚1号", 10, 3);
      FixedStep step;
      step.before = chain.state();
      auto known = std::make_shared<std::set<crypto::Digest>>(*ids);
      step.before.contains_record = [known](const crypto::Digest& id) -> Result<bool> {
        return known->count(id) > 0;
      };
      auto next = chain.Next(records);
      step.block = std::move(next.block);
      step.commit = std::move(next.commit);
      for (const ledger::Record& record : records)
        ids->insert(ledger::RecordId(chain.hash(), record));
      steps->push_back(std::move(step));
    }
    return steps;
  }();
  return *history;
}

const std::string& ScratchDirectory() {
  // A static with a destructor: removed when the fuzzer exits normally.
  static Scratch scratch;
  return scratch.path();
}

std::string WriteScratchFile(const std::string& name, std::string_view bytes) {
  std::string path = ScratchDirectory() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  EVIDENCE_CHECK(out.good());
  return path;
}

void PropertyFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace evidence::fuzz
