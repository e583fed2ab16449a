// Clang thread-safety annotations (-Wthread-safety). They state which mutex or
// thread guards which member; clang checks them (scripts/test.sh builds the code
// with clang and -Werror=thread-safety), other compilers see nothing.
//
// Capabilities are common/mutex.h's Mutex (a lock) and ThreadRole (a thread or
// strand that owns some state: members touched only on the consensus thread are
// EVIDENCE_GUARDED_BY(that role), and functions that run there
// EVIDENCE_REQUIRES(it)).
#pragma once

#if defined(__clang__)
#define EVIDENCE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define EVIDENCE_THREAD_ANNOTATION(x)
#endif

// A type that is a capability (a lock, or a thread role).
#define EVIDENCE_CAPABILITY(name) EVIDENCE_THREAD_ANNOTATION(capability(name))
// An RAII type that holds a capability for its lifetime.
#define EVIDENCE_SCOPED_CAPABILITY EVIDENCE_THREAD_ANNOTATION(scoped_lockable)
// The member is read and written only while holding `x`.
#define EVIDENCE_GUARDED_BY(x) EVIDENCE_THREAD_ANNOTATION(guarded_by(x))
// The pointee is read and written only while holding `x`.
#define EVIDENCE_PT_GUARDED_BY(x) EVIDENCE_THREAD_ANNOTATION(pt_guarded_by(x))
// The caller must hold `...` when calling the function.
#define EVIDENCE_REQUIRES(...) EVIDENCE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
// The caller must not hold `...` (the function takes it).
#define EVIDENCE_EXCLUDES(...) EVIDENCE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function acquires / releases `...` (or the object itself, without arguments).
#define EVIDENCE_ACQUIRE(...) EVIDENCE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define EVIDENCE_RELEASE(...) EVIDENCE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
// After the call the caller holds `...` (checked at run time by the function).
#define EVIDENCE_ASSERT_CAPABILITY(...) \
  EVIDENCE_THREAD_ANNOTATION(assert_capability(__VA_ARGS__))
// The function's body is not analysed (use only where the analysis cannot follow,
// and say why).
#define EVIDENCE_NO_THREAD_SAFETY_ANALYSIS \
  EVIDENCE_THREAD_ANNOTATION(no_thread_safety_analysis)
