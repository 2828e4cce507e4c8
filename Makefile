# mesosnb: Go notebooks, a Go client and a local stand-in for the Apache
# Mesos HTTP API. The two commands a newcomer needs:
#
#   make demo    install what is missing, start the local stand-in and run
#                the Demo-API notebook headless against it
#   make test    everything CI runs
#
# Other targets: deps, notebook, localmesos, zookeeper-server, images, refresh-notebooks,
# bench, chaos, fuzz, clean.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
export PATH := $(PATH):$(GOBIN)
# Debian's Jupyter lives beside Debian's python3, not a pyenv one on PATH.
JUPYTER ?= $(firstword $(wildcard .venv/bin/jupyter /usr/bin/jupyter) jupyter)
export JUPYTER
BUILD := .build

.PHONY: all deps go-tools kernel jupyter zookeeper gopls build images demo notebook localmesos \
	test test-deps lint unit cluster-checks offline-cluster jupyter-image refresh-notebooks bench chaos fuzz clean

all: build

## deps: install what is missing (Go tools, the GoNB kernel, Jupyter, ZooKeeper).
deps: go-tools kernel jupyter zookeeper

go-tools:
	@$(GO) install tool
	@echo "deps: gonb and goimports installed in $(GOBIN)"

# gonb --install refuses to write the kernel without gopls unless told:
# gopls is optional (completion only), see 'make gopls'.
kernel: go-tools
	@$(GOBIN)/gonb --install --force_deps >/dev/null 2>&1 || { echo "deps: 'gonb --install' failed; run: $(GOBIN)/gonb --install --force_deps"; exit 1; }
	@echo "deps: GoNB kernel installed (Jupyter kernel name: gonb)"

gopls:
	$(GO) install golang.org/x/tools/gopls@v0.23.0

# Jupyter: already there, else a virtualenv from requirements.txt when PyPI
# answers, else Debian's packages, else the exact command to run.
jupyter:
	@if "$(JUPYTER)" nbconvert --version >/dev/null 2>&1; then echo "deps: Jupyter found ($(JUPYTER))"; \
	elif curl -fsS --max-time 5 -o /dev/null https://pypi.org/simple/notebook/ 2>/dev/null; then \
		python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt && echo "deps: Jupyter installed in .venv"; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then \
		s=""; [ "$$(id -u)" = 0 ] || s=sudo; \
		$$s apt-get install -y -qq --no-install-recommends jupyter-notebook jupyter-nbconvert python3-nbclient >/dev/null && echo "deps: Jupyter installed from Debian's packages"; \
	else echo "deps: no Jupyter. Run: python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"; exit 1; fi

zookeeper:
	@if [ -f /usr/share/java/zookeeper.jar ] || [ -n "$${ZKTEST_CLASSPATH:-}" ]; then echo "deps: ZooKeeper found"; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then \
		s=""; [ "$$(id -u)" = 0 ] || s=sudo; \
		$$s apt-get install -y -qq --no-install-recommends zookeeper >/dev/null && echo "deps: ZooKeeper installed from Debian's packages"; \
	else echo "deps: no ZooKeeper (tests that need it skip outside CI). Run: sudo apt-get install -y zookeeper"; fi

build:
	$(GO) build ./...

## images: the FROM scratch images (needs Docker, no registry).
images:
	docker/demo-site/build.sh >/dev/null
	docker/localmesos/build.sh >/dev/null
	@echo "images: mesosnb/demo-site:dev and mesosnb/localmesos:dev built"

## demo: the whole story in one command.
demo: deps
	@if docker info >/dev/null 2>&1; then docker/demo-site/build.sh >/dev/null && echo "demo: built mesosnb/demo-site:dev"; \
	else echo "demo: no Docker engine: the task will be simulated (see README)"; fi
	$(GO) run ./cmd/demo

## notebook: Jupyter in the browser, with the GoNB kernel.
notebook: deps
	"$(JUPYTER)" notebook --notebook-dir=notebooks

## localmesos: the local stand-in on 127.0.0.1:5050 (master) and :5051 (agent).
localmesos:
	$(GO) run ./cmd/localmesos -v

## zookeeper-server: a ZooKeeper on 127.0.0.1:2181 from the installed package,
## in the foreground (Ctrl-C stops it), for the ZooKeeper notebook.
.PHONY: zookeeper-server
ZK_DIR := $(BUILD)/zookeeper
zookeeper-server: zookeeper
	@mkdir -p $(ZK_DIR)/data
	@printf 'tickTime=2000\ndataDir=%s\nclientPort=2181\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n' "$(abspath $(ZK_DIR))/data" >$(ZK_DIR)/zoo.cfg
	@echo "zookeeper-server: ZooKeeper on 127.0.0.1:2181, data in $(ZK_DIR)/data; Ctrl-C stops it"
	java -cp "$${ZKTEST_CLASSPATH:-/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar}" org.apache.zookeeper.server.ZooKeeperServerMain $(ZK_DIR)/zoo.cfg

## test: what CI runs.
test: deps test-deps lint unit cluster-checks offline-cluster chaos

# test-deps: the Debian packages make test needs beyond make deps
# (command:package), installed when missing, or the exact command to run.
TEST_TOOLS := shellcheck:shellcheck chromium:chromium vagrant:vagrant docker-compose:docker-compose curl:curl
test-deps:
	@need=""; for t in $(TEST_TOOLS); do command -v $${t%%:*} >/dev/null 2>&1 || need="$$need $${t#*:}"; done; \
	if [ -z "$$need" ]; then echo "deps: test tools found"; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then \
		s=""; [ "$$(id -u)" = 0 ] || s=sudo; \
		{ $$s apt-get install -y -qq --no-install-recommends $$need fonts-dejavu-core >/dev/null 2>&1 || \
		  { $$s apt-get update -qq && $$s apt-get install -y -qq --no-install-recommends $$need fonts-dejavu-core >/dev/null; }; } && \
		echo "deps: installed$$need from Debian's packages"; \
	else echo "deps: make test needs$$need. Run: sudo apt-get install -y$$need fonts-dejavu-core"; exit 1; fi

## mesos: real Mesos 1.11.0 for the tests, unpacked from ../shared/mesos (.ci/mesos.sh).
MESOS_SHARED ?= ../shared/mesos
.PHONY: mesos
mesos:
	@.ci/mesos.sh "$(MESOS_SHARED)"
unit: mesos

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	git ls-files -z '*.sh' .ci/run | xargs -0 shellcheck -x

# Tests save what they show (executed notebooks, the browser's screenshot)
# under .build/test.
unit:
	mkdir -p $(BUILD)/test
	$(GO) test -timeout 25m -artifacts -outputdir=$(abspath $(BUILD)/test) ./...

cluster-checks:
	cd vagrant && env -u VAGRANT_DEFAULT_PROVIDER vagrant validate --ignore-provider
	docker-compose -f docker/compose.yaml config -q
	docker-compose -f docker/compose.offline.yaml config -q

# The registry-free containerised cluster, up for real: Demo-API runs
# against it and launches a real container, then it comes down.
offline-cluster: images
	$(GO) run ./cmd/demo --offline-compose

## jupyter-image: the compose file's jupyter image, built without a registry
## (a debootstrap base with this machine's Go), and Demo-API run inside it.
## Not part of make test: the build takes over 20 minutes here.
jupyter-image:
	docker/jupyter/local-base.sh
	docker build -q -f docker/jupyter/Dockerfile --build-arg GO_IMAGE=mesosnb/go-base:local \
		--build-arg JUPYTER_FROM=debian --build-arg GOPLS_VERSION= -t mesosnb/jupyter:local .
	$(GO) run ./cmd/demo --in-image mesosnb/jupyter:local

## refresh-notebooks: re-run the notebooks against localmesos and save their outputs.
refresh-notebooks: deps
	$(GO) run ./cmd/demo --refresh

bench:
	$(GO) run ./cmd/bench

chaos:
	$(GO) run ./cmd/chaos

fuzz:
	$(GO) test -run XXX -fuzz FuzzDecoder -fuzztime 60s ./pkg/recordio

clean:
	rm -rf $(BUILD) docker/demo-site/demo-site docker/localmesos/localmesos
