# Localguard. Quick start on Debian/Ubuntu with Go: `make run`, `make test`.

GO      ?= go
BIN     ?= localguard
# What the desktop build needs (Debian names); `make deps` installs them.
DESKTOP_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev
# What the tests use when present (they skip, saying so, when absent).
TEST_PKGS := python3-dotenv python3-pydantic python3-uvicorn python3-fastapi iproute2

.PHONY: run build deps test test-deps vet fuzz bench clean

run: build
	./$(BIN)

build: deps
	CGO_ENABLED=1 $(GO) build -o $(BIN) .

# Installs the C headers Fyne needs when they are missing: with apt-get
# (through sudo when not root), or prints the command elsewhere.
deps:
	@if command -v gcc >/dev/null && pkg-config --exists gl x11 xrandr xcursor xinerama xi xxf86vm 2>/dev/null; then :; \
	elif command -v apt-get >/dev/null; then \
		echo "Installing what the desktop build needs: $(DESKTOP_PKGS)"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(DESKTOP_PKGS); \
	else \
		echo "The desktop build needs a C compiler and the OpenGL/X11 headers."; \
		echo "On Fedora: sudo dnf install gcc libXcursor-devel libXrandr-devel mesa-libGL-devel libXi-devel libXinerama-devel libXxf86vm-devel"; \
		echo "On macOS: xcode-select --install"; \
		exit 1; \
	fi

# Installs what the tests use, for a run where nothing is skipped.
test-deps:
	SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(TEST_PKGS)

# Vets for Linux and Windows everything, for macOS the engine (Fyne's macOS
# code needs cgo and Apple's headers, which a Linux machine does not have).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
vet:
	CGO_ENABLED=0 $(GO) vet -tags ci ./...
	CGO_ENABLED=0 $(GO) run $(STATICCHECK) -tags ci ./...
	CGO_ENABLED=0 GOOS=windows $(GO) vet -tags ci ./...
	CGO_ENABLED=0 GOOS=darwin $(GO) vet -tags ci ./envfix/... ./netcheck/...

# Every package, without an X server: the ci tag gives Fyne a software
# driver. With a C compiler the race detector runs too.
test: vet
	@if command -v gcc >/dev/null && CGO_ENABLED=1 $(GO) env CGO_ENABLED | grep -q 1; then \
		echo "CGO_ENABLED=1 $(GO) test -race -tags ci ./..."; \
		CGO_ENABLED=1 $(GO) test -race -tags ci ./...; \
	else \
		echo "CGO_ENABLED=0 $(GO) test -tags ci ./... (no C compiler: no race detector)"; \
		CGO_ENABLED=0 $(GO) test -tags ci ./...; \
	fi

FUZZTIME ?= 10m
fuzz:
	cd envfix && $(GO) test -run '^$$' -fuzz FuzzFixKeepsOthers -fuzztime $(FUZZTIME) .

bench:
	$(GO) run ./testdata/bench

clean:
	rm -f $(BIN) $(BIN).exe
