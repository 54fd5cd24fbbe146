# The Debian package: `make package` (cpack -G DEB in the build directory) makes
# tessera_<version>-<revision>_<arch>.deb. docs/deployment.md says what it installs and how to
# run it; tests/package/package_test.sh installs, runs, upgrades and purges it.
#
# Only the install() rules of the component `server` go into it: the binary (stripped), the
# systemd unit, the configuration file and the documentation — never the tests, benchmarks
# or the integrations' libraries.

# The Debian revision (the N of <version>-N). TESSERA_PACKAGE_REVISION in cpack's environment
# overrides it (cmake/packaging_cpack.cmake), so one build makes several revisions.
set(TESSERA_PACKAGE_REVISION 1 CACHE STRING "Debian revision of the package")
set(TESSERA_PACKAGE_MAINTAINER "Tessera Developer <dev@tessera.local>" CACHE STRING
    "Maintainer field of the Debian package")
option(TESSERA_PACKAGE_DBGSYM
       "Also make tessera-dbgsym_….ddeb with the debug information split off the binary" OFF)

set(_deb ${CMAKE_SOURCE_DIR}/packaging/debian)

# Relative destinations go under CPACK_PACKAGING_INSTALL_PREFIX (/usr for DEB); absolute
# ones are kept as they are inside the package.
install(TARGETS tessera RUNTIME DESTINATION bin COMPONENT server)
install(FILES ${_deb}/tessera.service DESTINATION /lib/systemd/system COMPONENT server)
# 0640: the postinst gives it to the group tessera (it may hold secrets). A conffile
# (packaging/debian/conffiles): dpkg never overwrites the administrator's changes.
install(FILES ${_deb}/tessera.env DESTINATION /etc/tessera COMPONENT server
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${_deb}/copyright ${CMAKE_SOURCE_DIR}/README.md
              ${CMAKE_SOURCE_DIR}/docs/deployment.md
        DESTINATION share/doc/tessera COMPONENT server)
# Swagger UI is compiled into the binary (/api/docs): its notice and the licenses of what its
# scripts bundle go with it.
install(FILES ${SWAGGER_UI_DIST}/LICENSE ${SWAGGER_UI_DIST}/NOTICE
              ${SWAGGER_UI_DIST}/swagger-ui-bundle.js.LICENSE.txt
              ${SWAGGER_UI_DIST}/swagger-ui-standalone-preset.js.LICENSE.txt
        DESTINATION share/doc/tessera/swagger-ui COMPONENT server OPTIONAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tessera)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${TESSERA_PACKAGE_MAINTAINER}")
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};tessera;server;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tessera_0.1.0-1_amd64.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE ${TESSERA_PACKAGE_REVISION})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The first line is the synopsis, the rest the long description.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
       "identity and authentication server\n"
       "Tessera signs users up and in for your apps: accounts, email flows, second\n"
       "factors, an OAuth 2.0 and OpenID Connect provider, webhooks, developer and\n"
       "operator consoles. One binary, SQLite by default, PostgreSQL for several\n"
       "nodes. Runs as the systemd service tessera, configured in\n"
       "/etc/tessera/tessera.env.")
# Depends: the libraries the binary links, as dpkg-shlibdeps finds them, and adduser for
# the postinst (the service user).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx | apache2, postgresql, certbot")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_deb}/conffiles ${_deb}/postinst ${_deb}/prerm ${_deb}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)  # maintainer scripts 0755, others 0644
if(TESSERA_PACKAGE_DBGSYM)
  set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)  # splits the debug information off, then strips
else()
  set(CPACK_STRIP_FILES ON)
endif()
# Read by cpack at packaging time: TESSERA_PACKAGE_REVISION from the environment.
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_SOURCE_DIR}/cmake/packaging_cpack.cmake)
include(CPack)
