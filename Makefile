# Build everything and show it working:   make
# Run every test:                          make test
# Benchmarks against native baselines:     make bench
# Fuzz the archive parsers:                make fuzz [FUZZ_SECONDS=60] [FUZZ_RUNS=-1] [FUZZ_TARGETS=...]

CARGO        ?= cargo
WASM_CARGO   := scripts/wasm-cargo
HOST_PROFILE := host
GUESTS       := archive chunk-view hash-addressed
TEST_GUESTS  := misbehave wasi-import counting
WASM_OUT     := target/wasm/wasm32-wasip2/release
PLUGINS      := target/plugins
TEST_PLUGINS := target/test-plugins
VFS_HOST     := target/$(HOST_PROFILE)/vfs-host
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= -1
FUZZ_TARGETS ?= tar_header pax_records sparse_map zip_records names tar_index zip_index guest_archive

.PHONY: all build guests test-guests host demo test bench fuzz clean

all: build demo

build: guests host

# One cargo invocation for all guests: the wasm toolchain is detected (and set up) once.
guests:
	$(WASM_CARGO) build --release $(addprefix -p guest-,$(GUESTS))
	@mkdir -p $(PLUGINS)
	@for g in $(GUESTS); do cp $(WASM_OUT)/guest_$$(echo $$g | tr - _).wasm $(PLUGINS)/$$g.wasm; done
	@ls -l $(PLUGINS)

test-guests:
	$(WASM_CARGO) build --release $(addprefix -p test-guest-,$(TEST_GUESTS))
	@mkdir -p $(TEST_PLUGINS)
	@for g in $(TEST_GUESTS); do cp $(WASM_OUT)/test_guest_$$(echo $$g | tr - _).wasm $(TEST_PLUGINS)/$$g.wasm; done

host:
	$(CARGO) build --profile $(HOST_PROFILE) -p vfs-host

# The main job on the bundled example: browse a zip holding a tar, chunk a file inside it,
# and pack a directory into a content-addressed pack.
demo: build
	@scripts/demo $(VFS_HOST) $(PLUGINS)

test: guests test-guests
	$(CARGO) test --profile $(HOST_PROFILE) --workspace

bench: guests host
	$(CARGO) run --profile $(HOST_PROFILE) -p vfs-bench -- --plugins $(PLUGINS)

# Each target for FUZZ_SECONDS (or FUZZ_RUNS executions, whichever comes first), keeping its
# corpus in fuzz/corpus/<target>.
fuzz: guests
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz
	cd fuzz && for t in $(FUZZ_TARGETS); do mkdir -p corpus/$$t && \
		RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $$t corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) || exit 1; done

clean:
	$(CARGO) clean
