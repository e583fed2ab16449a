// Clang thread-safety annotations (-Wthread-safety). They document which mutex
// guards which member; with compilers that do not support them they expand to
// nothing, so they are documentation there and checked under clang.
#pragma once

#if defined(__clang__)
#define EVIDENCE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define EVIDENCE_THREAD_ANNOTATION(x)
#endif

// The member is read and written only while holding `x`.
#define EVIDENCE_GUARDED_BY(x) EVIDENCE_THREAD_ANNOTATION(guarded_by(x))
// The pointee is read and written only while holding `x`.
#define EVIDENCE_PT_GUARDED_BY(x) EVIDENCE_THREAD_ANNOTATION(pt_guarded_by(x))
// The caller must hold `...` when calling the function.
#define EVIDENCE_REQUIRES(...) EVIDENCE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// The caller must not hold `...` (the function takes it).
#define EVIDENCE_EXCLUDES(...) EVIDENCE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
