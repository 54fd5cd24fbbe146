# Tessera — the two commands of the README, and the rest.
#   make run    install what is missing, build, start the server on ./var (SQLite)
#   make test   install what is missing, build, run every test
#   make test-cluster  build, then the cluster suites: tests/e2e/cluster.test.mjs, the longer
#               cluster_long.test.mjs (database restart, failover, mail and limits across nodes)
#               and cluster_upgrade.test.mjs (a rolling upgrade from the commit before the newest
#               migration, built once by scripts/build-previous.sh: ~10 min the first time);
#               about 6 minutes after that; docs/scaling.md. TESSERA_BIN=… runs another binary.
#   make build  install what is missing, build (binary: build/tessera)
#   make package  build, then the Debian package build/tessera_<version>-<revision>_<arch>.deb
#               (cmake/packaging.cmake; TESSERA_PACKAGE_REVISION=N for another revision);
#               install it with `sudo apt install ./build/tessera_*.deb` (docs/deployment.md)
#   make bench  build and run the benchmarks (docs/benchmarks.md)
#   make bench-peers  build, then Tessera side by side with the Django stack and node-oidc-provider
#               (../shared/peers; ratios into docs/benchmarks.md)
#   make bench-cluster  build, then 1 node vs 3 nodes on PostgreSQL behind haproxy, with the
#               database's statements per request (bench/cluster.sh; docs/benchmarks.md, docs/scaling.md)
#   make bench-import  build, then `tessera import django` of 200k generated users: time, records/s
#               and peak RSS of a first import, a re-run and a dry run (bench/import.sh)
#   make bench-insights  build, then the consoles' Insights over 10 million audit events: the
#               first rollup and a page's read (bench/insights.sh; docs/benchmarks.md)
#   make profile  build, then flame graphs of the token endpoints under load (docs/profiles/)
#   make fuzz   build the fuzz targets (clang) and fuzz each for FUZZ_SECONDS (default 60)
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080

.PHONY: run test test-cluster build package setup bench bench-peers bench-cluster bench-import bench-insights profile fuzz clean

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: setup $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# cpack writes the .deb into the build directory and prints its path.
package: build
	cd $(BUILD_DIR) && cpack -G DEB

run: build
	$(BUILD_DIR)/tessera serve --listen $(LISTEN) --data-dir ./var

test: build
	BUILD_DIR=$(BUILD_DIR) bash scripts/test.sh

test-cluster: build
	TESSERA_PREVIOUS_BIN=$$(bash scripts/build-previous.sh) \
	TESSERA_BIN=$(or $(TESSERA_BIN),$(abspath $(BUILD_DIR))/tessera) TESSERA_CLUSTER_LONG=1 \
	  node --test --test-concurrency=1 tests/e2e/cluster.test.mjs tests/e2e/cluster_long.test.mjs \
	  tests/e2e/cluster_upgrade.test.mjs

bench: build
	bash bench/run.sh

bench-peers: build
	bash bench/peers.sh

bench-import: build
	BENCH_IMPORT_POSTGRES=1 bash bench/import.sh

bench-insights: build
	bash bench/insights.sh

bench-cluster: build
	TESSERA_BIN=$(or $(TESSERA_BIN),$(abspath $(BUILD_DIR))/tessera) bash bench/cluster.sh

profile: build
	bash bench/profile.sh

fuzz: setup
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) bash scripts/fuzz.sh run

clean:
	rm -rf $(BUILD_DIR) build-fuzz
