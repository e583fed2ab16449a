// Assertions that stay on in release builds. A failed check is a bug in this
// program (never bad input): it prints where and why, then aborts.
#pragma once

namespace evidence::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              const char* message);
}  // namespace evidence::internal

#define EVIDENCE_CHECK(condition)                                                   \
  do {                                                                              \
    if (!(condition)) [[unlikely]]                                                  \
      ::evidence::internal::CheckFailed(__FILE__, __LINE__, #condition, nullptr);   \
  } while (false)

#define EVIDENCE_CHECK_MSG(condition, message)                                      \
  do {                                                                              \
    if (!(condition)) [[unlikely]]                                                  \
      ::evidence::internal::CheckFailed(__FILE__, __LINE__, #condition, (message)); \
  } while (false)
