#include "common/thread.h"

#include <string>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace evidence {

void NameCurrentThread(std::string_view name) {
#if defined(__linux__)
  std::string truncated(name.substr(0, 15));
  pthread_setname_np(pthread_self(), truncated.c_str());
#else
  (void)name;
#endif
}

}  // namespace evidence
