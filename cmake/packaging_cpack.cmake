# Run by cpack (CPACK_PROJECT_CONFIG_FILE), not by cmake: lets one build make packages of
# several revisions, e.g. `TESSERA_PACKAGE_REVISION=2 cpack` for an upgrade test.
if(DEFINED ENV{TESSERA_PACKAGE_REVISION} AND NOT "$ENV{TESSERA_PACKAGE_REVISION}" STREQUAL "")
  if(NOT "$ENV{TESSERA_PACKAGE_REVISION}" MATCHES "^[0-9][0-9A-Za-z.+~]*$")
    message(FATAL_ERROR "TESSERA_PACKAGE_REVISION must be a Debian revision (digits first), "
                        "not '$ENV{TESSERA_PACKAGE_REVISION}'")
  endif()
  set(CPACK_DEBIAN_PACKAGE_RELEASE "$ENV{TESSERA_PACKAGE_REVISION}")
endif()
