#include "node/disk_guard.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace evidence::node {
namespace {

constexpr uint64_t kMiB = 1 << 20;

// A guard over a free-space figure the test sets.
struct Fixture {
  uint64_t free_bytes = 100 * kMiB;
  bool fail = false;
  DiskGuard guard;
  explicit Fixture(uint64_t reserve_bytes)
      : guard(reserve_bytes, [this]() -> Result<uint64_t> {
          if (fail) return Status::IoError("no such directory");
          return free_bytes;
        }) {}
};

TEST(DiskGuardTest, BecomesFullBelowTheReserveAndSaysSoOnce) {
  Fixture f(16 * kMiB);
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kNone);
  EXPECT_FALSE(f.guard.full());
  EXPECT_EQ(f.guard.free_bytes(), 100 * kMiB);
  f.free_bytes = 16 * kMiB;  // at the reserve is not below it
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kNone);
  f.free_bytes = 16 * kMiB - 1;
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kBecameFull);
  EXPECT_TRUE(f.guard.full());
  f.free_bytes = 0;
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kNone);
  EXPECT_TRUE(f.guard.full());
  EXPECT_EQ(f.guard.free_bytes(), 0u);
}

TEST(DiskGuardTest, ResumesOnlyAboveTheReserveAndItsMargin) {
  Fixture f(16 * kMiB);
  EXPECT_EQ(f.guard.resume_bytes(), 18 * kMiB);  // an eighth more
  f.free_bytes = kMiB;
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kBecameFull);
  f.free_bytes = 17 * kMiB;  // above the reserve, inside the margin: a disk at the edge
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kNone);
  EXPECT_TRUE(f.guard.full());
  f.free_bytes = 18 * kMiB;
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kSpaceReturned);
  EXPECT_FALSE(f.guard.full());
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kNone);
}

TEST(DiskGuardTest, ASmallReserveGetsAMarginOfOneMebibyte) {
  Fixture f(4096);
  EXPECT_EQ(f.guard.resume_bytes(), 4096 + kMiB);
}

TEST(DiskGuardTest, ReserveZeroNeverPauses) {
  Fixture f(0);
  f.free_bytes = 0;
  EXPECT_EQ(f.guard.Check(), DiskGuard::Change::kNone);
  EXPECT_FALSE(f.guard.full());
  EXPECT_EQ(f.guard.free_bytes(), 0u);
}

TEST(DiskGuardTest, AFailedMeasurementKeepsTheStateAndSaysWhy) {
  Fixture f(16 * kMiB);
  f.free_bytes = kMiB;
  ASSERT_EQ(f.guard.Check(), DiskGuard::Change::kBecameFull);
  f.fail = true;
  Status error;
  EXPECT_EQ(f.guard.Check(&error), DiskGuard::Change::kNone);
  EXPECT_TRUE(f.guard.full());
  EXPECT_EQ(error.code(), StatusCode::kIoError);
  EXPECT_NE(error.message().find("no such directory"), std::string::npos);
}

TEST(DiskGuardTest, StatvfsMeasuresARealDirectoryAndNamesAMissingOne) {
  auto measure = DiskGuard::StatvfsFreeBytes(std::filesystem::temp_directory_path().string());
  Result<uint64_t> free_bytes = measure();
  ASSERT_TRUE(free_bytes.ok()) << free_bytes.status().ToString();
  auto missing = DiskGuard::StatvfsFreeBytes("/nonexistent/evidence-disk-guard");
  Result<uint64_t> refused = missing();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("/nonexistent/evidence-disk-guard"),
            std::string::npos);
}

}  // namespace
}  // namespace evidence::node
