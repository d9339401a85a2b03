# The two commands of the README. Both install what is missing, build, then run.
SHELL := /bin/bash
DOTNET ?= dotnet
RUN_TESTS = $(DOTNET) test Detector.sln -c Release --no-build -nologo --logger "console;verbosity=normal" \
	--blame-hang-timeout 15m --blame-hang-dump-type none
BENCH_PACKAGES := python3-torch python3-numpy python3-threadpoolctl python3-confluent-kafka

.PHONY: demo test test-under-load build setup bench bench-models clean eval image-test

setup:
	@scripts/setup.sh

build: setup
	$(DOTNET) build Detector.sln -c Release -nologo -v quiet -clp:ErrorsOnly

demo: build
	./detector demo

# The Prometheus tests need promtool and the server (Debian's prometheus package), the CUDA kernel compile tests
# NVIDIA's NVRTC (Debian non-free libnvrtc11.2, no GPU needed): installed here when missing.
# A test that hangs is stopped after 15 minutes and named (the longest takes about a minute), so a hang fails the run
# instead of outlasting CI.
test: build
	@scripts/setup.sh prometheus libnvrtc11.2 python3-torch
	$(RUN_TESTS)

# The same run with both cores kept busy by two busy loops (as on a shared CI machine): every wait in the tests is a
# bounded poll, so this must pass too. The loops stop with the run, whatever its outcome.
test-under-load: build
	@scripts/setup.sh prometheus libnvrtc11.2 python3-torch
	@yes > /dev/null & a=$$!; yes > /dev/null & b=$$!; trap 'kill $$a $$b 2>/dev/null' EXIT; $(RUN_TESTS)

# The Dockerfile built with buildah on locally built stand-in base images (no image can be pulled here), then the image
# run: demo, OpenBLAS, the image's command on a mock Kafka cluster and a scrape of /metrics. Root; installs buildah and
# debootstrap when missing. The stand-in bases are cached, so only the first run debootstraps (scripts/image-test.sh).
image-test:
	scripts/image-test.sh

# Side-by-side benchmark against PyTorch on this machine: rewrites the tables of docs/benchmarks.md (between its
# bench-table markers; the notes around them stay).
bench: setup
	@scripts/setup.sh $(BENCH_PACKAGES)
	scripts/bench-models.sh

# Detection quality on ../shared/datasets (about 5 minutes): eval/results.jsonl, then the tables of docs/quality.md.
eval: setup
	eval/run-all.sh > eval/results.jsonl && eval/table.sh eval/results.jsonl

clean:
	$(DOTNET) clean Detector.sln -nologo -v quiet
