# Fails the build when web/node_modules was installed from another lockfile than
# web/package-lock.json (e.g. after a merge changed it): `npm ci` records the
# lockfile it installed in node_modules/.package-lock.json, and scripts/setup.sh
# stores the hash of the lockfile it installed from beside it.
get_filename_component(modules ${INSTALLED} DIRECTORY)
set(stamp ${modules}/.evidence-lock-sha256)
file(SHA256 ${LOCK} wanted)
if(NOT EXISTS ${stamp})
  message(FATAL_ERROR "web/node_modules was not installed by scripts/setup.sh: run scripts/setup.sh")
endif()
file(READ ${stamp} installed)
string(STRIP "${installed}" installed)
if(NOT installed STREQUAL wanted)
  message(FATAL_ERROR "web/package-lock.json changed since web/node_modules was installed: run scripts/setup.sh")
endif()
