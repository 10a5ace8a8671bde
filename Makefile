# Build everything and show it working:   make
# Run every test:                          make test
# Build the plugins every documented way and compare them:  make routes
# Benchmarks against native baselines:     make bench
# Fuzz the archive and Nintendo parsers:   make fuzz [FUZZ_SECONDS=60] [FUZZ_RUNS=-1] [FUZZ_TARGETS=...]

CARGO        ?= cargo
PYTHON       ?= python3
WASM_CARGO   := scripts/wasm-cargo
HOST_PROFILE := host
# Every crate under guests/ is a plugin: guests/NAME becomes target/plugins/NAME.wasm.
GUESTS       := $(notdir $(patsubst %/Cargo.toml,%,$(wildcard guests/*/Cargo.toml)))
TEST_GUESTS  := $(notdir $(patsubst %/Cargo.toml,%,$(wildcard host-test/guests/*/Cargo.toml)))
# Example plugins (the README's first plugin): examples/NAME becomes target/test-plugins/NAME.wasm.
EXAMPLES     := $(notdir $(patsubst %/Cargo.toml,%,$(wildcard examples/*/Cargo.toml)))
WASM_OUT     := target/wasm/wasm32-wasip2/release
PLUGINS      := target/plugins
TEST_PLUGINS := target/test-plugins
VFS_HOST     := target/$(HOST_PROFILE)/vfs-host
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= -1
FUZZ_TARGETS ?= tar_header pax_records sparse_map zip_records names tar_index ar_index zip_index gzip zstd xz bzip2 lz4 lzma zip_methods checkpoints guest_archive nintendo
# Python packages the tests write inputs with.
OEAD_VERSION := 1.3.0

# The package name in a crate's Cargo.toml, and the file name of its .wasm.
package = $(shell sed -n 's/^name *= *"\(.*\)"/\1/p' $(1)/Cargo.toml | head -n1)
wasm_of = $(WASM_OUT)/$(subst -,_,$(call package,$(1))).wasm

.PHONY: all build guests test-guests host demo test test-tools bench-tools python-deps routes bench fuzz clean

all: build demo

build: guests host

# One cargo invocation for all guests: the wasm toolchain is detected (and set up) once.
guests:
	$(WASM_CARGO) build --release $(foreach g,$(GUESTS),-p $(call package,guests/$(g)))
	@mkdir -p $(PLUGINS)
	@$(foreach g,$(GUESTS),cp $(call wasm_of,guests/$(g)) $(PLUGINS)/$(g).wasm;)
	@ls -l $(PLUGINS)

test-guests:
	$(WASM_CARGO) build --release $(foreach g,$(TEST_GUESTS),-p $(call package,host-test/guests/$(g))) \
		$(foreach e,$(EXAMPLES),-p $(call package,examples/$(e)))
	@mkdir -p $(TEST_PLUGINS)
	@$(foreach g,$(TEST_GUESTS),cp $(call wasm_of,host-test/guests/$(g)) $(TEST_PLUGINS)/$(g).wasm;)
	@$(foreach e,$(EXAMPLES),cp $(call wasm_of,examples/$(e)) $(TEST_PLUGINS)/$(e).wasm;)

host:
	$(CARGO) build --profile $(HOST_PROFILE) -p vfs-host

# The main job on the bundled example: browse a zip holding a tar, chunk a file inside it,
# and pack a directory into a content-addressed pack.
demo: build
	@scripts/demo $(VFS_HOST) $(PLUGINS)

python-deps:
	@$(PYTHON) -c "import oead" 2>/dev/null || $(PYTHON) -m pip install -q "oead==$(OEAD_VERSION)" \
		|| $(PYTHON) -m pip install -q --break-system-packages "oead==$(OEAD_VERSION)"

# The programs the tests and benchmarks run beside ours (compressors, bsdtar, unzip...), from
# Debian when missing; ratarmount (from pip) only for the benchmarks' side-by-side rows.
test-tools:
	@scripts/install-tools test

bench-tools:
	@scripts/install-tools bench
	@command -v ratarmount >/dev/null || $(PYTHON) -m pip install -q ratarmount \
		|| $(PYTHON) -m pip install -q --break-system-packages ratarmount \
		|| echo "ratarmount not installed: the benchmark rows beside it are skipped"

test: test-tools guests test-guests python-deps
	$(CARGO) test --profile $(HOST_PROFILE) --workspace

# Every plugin built by each route (rustup's target, Debian's bootstrap, cargo-component), then
# the same fixtures run through each set (vfs-host's `build_routes` test).
routes: guests
	scripts/build-routes
	$(CARGO) test --profile $(HOST_PROFILE) -p vfs-host --features routes --test build_routes

bench: bench-tools guests host python-deps
	$(CARGO) run --profile $(HOST_PROFILE) -p vfs-bench -- --plugins $(PLUGINS)

# Each target for FUZZ_SECONDS (or FUZZ_RUNS executions, whichever comes first), keeping its
# corpus in <fuzz dir>/corpus/<target>. Targets that run the built plugins live in fuzz/guest.
fuzz: guests
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz
	for t in $(FUZZ_TARGETS); do dir=fuzz; [ -f fuzz/guest/fuzz_targets/$$t.rs ] && dir=fuzz/guest; \
		[ $$dir = fuzz ] && python3 fuzz/seeds.py $$t; \
		(cd $$dir && mkdir -p corpus/$$t && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run --fuzz-dir . $$t corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS)) || exit 1; done

clean:
	$(CARGO) clean
