# kith - the two set-up commands are `make run` and `make test`; see README.md.
# This Makefile only drives CMake and the scripts; the build itself is in CMakeLists.txt.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
KITH_DB    ?= kith.db
CMAKE_FLAGS ?=

.PHONY: all deps build run test unit-test release-build asan-test fuzz-build fuzz fuzz-smoke api-test browser-test screenshots openapi bench bench-import bench-rv bench-value bench-value-kept bench-web bench-http bench-deals format format-check clean bench-v2t2 bench-deal-import bench-portal bench-voice bench-streams bench-scale

all: build

deps:
	scripts/install-deps

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Builds, creates the demo database when there is none (printing its administrator's password
# once) and serves it on $(LISTEN).
LISTEN ?= 127.0.0.1:8080
run: deps build
	scripts/run $(BUILD)/kith "$(KITH_DB)" "$(LISTEN)"

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# An optimised Release build with every warning an error: -O3 finds what -O2 does not (values
# that may be used uninitialised).
RELEASE_BUILD ?= build-release
release-build:
	cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(RELEASE_BUILD) -j $(JOBS) --target kith

# The same unit tests under AddressSanitizer + UndefinedBehaviorSanitizer; any report fails.
asan-test:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKITH_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (tests/fuzz/, docs/fuzzing.md): a clang build of their own, with coverage,
# AddressSanitizer and UndefinedBehaviorSanitizer. `make fuzz` runs each target for FUZZ_SECONDS
# seconds, one after the other, on a copy of its corpus; a crash, leak or hang fails it.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= csv import body list param cursor timefmt money num receipt reading
fuzz-build:
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DKITH_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: fuzz-build
	scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The short run of make test: 10 s per target.
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

# API tests: pytest (Debian's python3) against a real `kith serve` on a loopback port.
api-test: build
	KITH_BIN=$(CURDIR)/$(BUILD)/kith /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/api

# Browser tests: node's test runner; playwright-core drives Debian's chromium against a real
# `kith serve` per test file (tests/browser/harness.mjs). Needs `make deps` (npm ci, chromium).
browser-test: build
	KITH_BIN=$(CURDIR)/$(BUILD)/kith node --test tests/browser/

# A PNG of every screen under docs/screenshots/, from a demo database (scripts/screenshots.mjs).
screenshots: build
	KITH_BIN=$(CURDIR)/$(BUILD)/kith node scripts/screenshots.mjs

test: deps
	$(MAKE) unit-test
	$(MAKE) release-build
	$(MAKE) asan-test
	$(MAKE) fuzz-smoke
	$(MAKE) api-test
	$(MAKE) browser-test

bench: bench-import bench-rv bench-v2t2 bench-value bench-value-kept bench-web bench-http bench-deals bench-voice bench-portal bench-streams bench-scale

bench-import: deps build
	bench/import.sh $(BUILD)/kith

# Deals: `kith import deals` of 1,000,000 opportunities of another CRM's export (references by
# name, a line per deal) against SQLite doing the same load alone (bench/deal_import.sh; issue 12
# item 8). Record the figures in docs/BENCHMARKS.md ("Deal import").
bench-deal-import: build
	bench/deal_import.sh $(BUILD)/kith

# Relationship Value: 10M interactions over 500k contacts; the database is generated once into
# bench/out/ (git-ignored). Record the numbers in docs/BENCHMARKS.md.
bench-rv: build
	mkdir -p bench/out
	$(BUILD)/bench-rv --db bench/out/rv-10m.db

# V2T2: zones, tones and discord of every relationship on the loaded snapshot of bench-rv's
# database (generated first when missing), against one SQLite query. Record the numbers in
# docs/BENCHMARKS.md ("V2T2").
bench-v2t2: build
	mkdir -p bench/out
	test -f bench/out/rv-10m.db || $(BUILD)/bench-rv --db bench/out/rv-10m.db --generate-only
	$(BUILD)/bench-v2t2 --db bench/out/rv-10m.db

# The customer's voice (issue 15): every benchmark named bench/voice_* in turn, whoever wrote it:
# a C program bench/voice_<name>.c runs as $(BUILD)/bench-voice-<name> (CMakeLists.txt builds
# each), a script bench/voice_*.py or .sh with the kith binary as its argument. The RV
# benchmark's database (bench/out/rv-10m.db, 10,000,000 interactions) is generated first when
# missing: bench/voice_paths.c reads it. Record the numbers in docs/BENCHMARKS.md ("Voice").
bench-voice: build
	mkdir -p bench/out
	test -f bench/out/rv-10m.db || $(BUILD)/bench-rv --db bench/out/rv-10m.db --generate-only
	@set -e; for f in bench/voice_*; do \
	  case $$f in \
	    *.c) b=$(BUILD)/bench-$$(basename $$f .c | tr _ -); echo "== $$b"; $$b ;; \
	    *.py) echo "== $$f"; /usr/bin/python3 $$f $(BUILD)/kith ;; \
	    *.sh) echo "== $$f"; sh $$f $(BUILD)/kith ;; \
	  esac; \
	done

# Customer value: the BG/NBD and Gamma-Gamma fits and association rules on 1M customers drawn
# with the CDNOW parameters against scipy (bench/fit.sh; docs/BENCHMARKS.md), then kith value's
# subcommands on 1M accounts (KITH_BENCH_ACCOUNTS) against SQLite grouping the same orders
# (docs/internals/value.md), then one account's cross-sell offers over HTTP on 1M order lines
# against the CLI mining each time (bench/xsell.sh; docs/BENCHMARKS.md).
bench-value: build
	bench/fit.sh $(BUILD)
	bench/value.sh $(BUILD)/kith
	bench/xsell.sh $(BUILD)/kith

# Value: /api/v1/value/clv and /dist from the figures kept per version of the data at 1,000,000
# accounts, against the refit of every request (bench/value_kept.sh; issue 17 item 4). Record the
# figures in docs/BENCHMARKS.md ("Value: kept figures").
bench-value-kept: build
	bench/value_kept.sh $(BUILD)/kith

# Web: time to a usable manager dashboard and bytes of the first load, in chromium, on the demo
# data (bench/first-load.mjs). Record the figures in docs/BENCHMARKS.md ("Web").
bench-web: build
	KITH_BIN=$(CURDIR)/$(BUILD)/kith node bench/first-load.mjs

# HTTP: wrk (2 threads, 64 connections, 20 s each) against kith serve on loopback over a
# `kith demo` database: GET by id, a list, the list gzipped, POST interaction, against GET
# /healthz (bench/http.sh, bench/http.lua). Record the figures in docs/BENCHMARKS.md ("HTTP").
bench-http: deps build
	bench/http.sh $(BUILD)/kith

# The API tier scaled out (issue 17): one kith serve against two behind haproxy on one database
# (bench/scale.sh, docs/deploy/scale.md). Record the numbers in docs/BENCHMARKS.md.
bench-scale: deps build
	bench/scale.sh $(BUILD)/kith

# The deal analyses over HTTP on 1,000,000 deals and 10,000 owners against one SQLite query for
# the same figures (bench/deals.sh, bench/gen_deals.py; the database is cached in bench/out/).
# Record the figures in docs/BENCHMARKS.md ("Deals").
bench-deals: build
	bench/deals.sh $(BUILD)/kith

# The customer portal (issue 16, item 10): every benchmark program bench/portal_<name>.c, built as
# $(BUILD)/bench-portal_<name>, one after the other; each prints its figures and its target and
# exits 1 when it misses it: every one runs, and the target fails at the end if any missed. The
# erasure runs on a copy of bench-rv's 10M-interaction database (generated first when missing).
# Record the figures in docs/BENCHMARKS.md ("Customer portal").
bench-portal: build
	mkdir -p bench/out
	test -f bench/out/rv-10m.db || $(BUILD)/bench-rv --db bench/out/rv-10m.db --generate-only
	@missed=0; for b in $(BUILD)/bench-portal_*; do \
	  test -x "$$b" || continue; echo "== $$b"; \
	  case "$$b" in \
	    *_erase) "$$b" --source bench/out/rv-10m.db --db bench/out/portal-10m.db || missed=1;; \
	    *) "$$b" || missed=1;; \
	  esac; done; exit $$missed

# Devices: readings ingested durably per second through POST /api/v1/streams (a few clients,
# batches of 500 JSON lines) against SQLite inserting the same rows directly (bench/streams.sh,
# bench/streams.c). Record the figures in docs/BENCHMARKS.md ("Device streams").
bench-streams: build
	bench/streams.sh $(BUILD)

# The query parameters of the analysis routes in docs/openapi.json, from the parameter tables.
openapi: build
	scripts/openapi-sync $(BUILD)/kith

format:
	find src tests bench -name '*.[ch]' | xargs clang-format -i

format-check:
	find src tests bench -name '*.[ch]' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
