# Pidvisor: the two commands are `make run` and `make test` (as root on
# Debian 12). Both install what they need first.
BUILD ?= build
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
# Compiler cache shared by every clone on this machine (paths made relative
# to the checkout, so another clone's objects are hits).
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_DIR ?= $(if $(filter 0,$(shell id -u)),/var/cache/pidvisor/ccache-host,$(HOME)/.cache/pidvisor/ccache-host)
export CCACHE_MAXSIZE ?= 2G
# With -g ccache hashes the working directory too; without this no other
# clone or worktree ever hits.
export CCACHE_NOHASHDIR ?= 1

.PHONY: all deps configure build test run demo-agent bench fuzz sanitize deb clean

all: build

deps:
	packaging/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DPIDVISOR_WERROR=ON $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD)

# Every test label but sanitize (`make sanitize`): unit, agent, vm, gui,
# matrix, fuzz and package (the Debian packages built, lintian-checked,
# installed and purged in a fresh Debian 12 root; cached under
# /var/cache/pidvisor, so a second run takes seconds).
test: build
	cd $(BUILD) && ctest --output-on-failure --no-tests=error -LE '^sanitize$$' $(CTEST_FLAGS)

run: build
	packaging/run-demo.sh $(BUILD)/bin

demo-agent: build
	packaging/agent-demo.sh $(BUILD)/bin

# The benchmarks' VMs sit on the tests' isolated network (tests/CMakeLists.txt).
bench: export PIDVISOR_NETWORK = pidvisor-test
bench: export PIDVISOR_NETWORK_ISOLATED = 1
bench: export PIDVISOR_NETWORK_SUBNET = 10.84.0.0/24
bench: build
	$(BUILD)/bin/bench_container_create
	$(BUILD)/bin/bench_image_import
	$(BUILD)/bin/bench_gui
	PIDVISOR_BIN_DIR=$(BUILD)/bin packaging/libvirt-services.sh start
	PIDVISOR_BIN_DIR=$(BUILD)/bin tests/bench/boot_bench.py --kernel container
	PIDVISOR_BIN_DIR=$(BUILD)/bin tests/bench/boot_bench.py --kernel stock
	PIDVISOR_BIN_DIR=$(BUILD)/bin tests/bench/pidns_bench.py
	PIDVISOR_BIN_DIR=$(BUILD)/bin tests/bench/checkpoint_bench.py
	PIDVISOR_BIN_DIR=$(BUILD)/bin tests/bench/image_bench.py
	PIDVISOR_BIN_DIR=$(BUILD)/bin tests/bench/network_bench.py

# Each libFuzzer harness (tests/fuzz) for FUZZ_SECONDS, in the sanitize
# tree (clang, ASan+UBSan); crashes are kept in build/sanitize/fuzz/artifacts.
FUZZ_SECONDS ?= 300
fuzz: build
	cd $(BUILD) && PIDVISOR_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure -R '^fuzz\.'

# The unit and agent suites built with ASan+UBSan (clang) and run.
sanitize: build
	cd $(BUILD) && ctest --output-on-failure -L '^sanitize$$'

# The Debian packages pidvisor, pidvisor-gui and pidvisor-agent, into
# $(BUILD)/debs (cached by source hash under /var/cache/pidvisor/debs).
deb: deps
	packaging/build-deb.sh --out $(BUILD)/debs

clean:
	rm -rf $(BUILD)
