// Boost.JSON and Boost.URL compiled here, from their headers, with the fuzz build's
// instrumentation (the server links Debian's shared libraries instead; same Boost 1.81).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
