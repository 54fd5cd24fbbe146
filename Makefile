# Tessera — the two commands of the README, and the rest.
#   make run    install what is missing, build, start the server on ./var (SQLite)
#   make test   install what is missing, build, run every test
#   make build  install what is missing, build (binary: build/tessera)
#   make bench  build and run the benchmarks (docs/benchmarks.md)
#   make bench-peers  build, then Tessera side by side with the Django stack and node-oidc-provider
#               (../shared/peers; ratios into docs/benchmarks.md)
#   make profile  build, then flame graphs of the token endpoints under load (docs/profiles/)
#   make fuzz   build the fuzz targets (clang) and fuzz each for FUZZ_SECONDS (default 60)
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080

.PHONY: run test build setup bench bench-peers profile fuzz clean

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: setup $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/tessera serve --listen $(LISTEN) --data-dir ./var

test: build
	BUILD_DIR=$(BUILD_DIR) bash scripts/test.sh

bench: build
	bash bench/run.sh

bench-peers: build
	bash bench/peers.sh

profile: build
	bash bench/profile.sh

fuzz: setup
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) bash scripts/fuzz.sh run

clean:
	rm -rf $(BUILD_DIR) build-fuzz
