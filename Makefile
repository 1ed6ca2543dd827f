# Localguard. Quick start on Debian/Ubuntu with Go: `make run`, `make test`.

GO      ?= go
BIN     ?= localguard
# What the desktop build needs (Debian names); `make deps` installs them.
DESKTOP_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev
# What the tests use when present (they skip, saying so, when absent).
TEST_PKGS := python3-dotenv python3-pydantic python3-uvicorn python3-fastapi gunicorn iproute2 util-linux acl attr dbus socat nginx-light openssh-server openssh-client haproxy rinetd

.PHONY: run build deps test test-deps vet fuzz bench bench-window package windows windows-test clean

run: build
	@echo "== opening Localguard (./$(BIN))"
	./$(BIN)

build: deps
	@echo "== building $(BIN) (the first build compiles Fyne's C parts: several minutes)"
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
# code needs cgo and Apple's headers, which a Linux machine does not have);
# then keeps every function, tests included, simple enough to read
# (cyclomatic complexity at most 15: split it into named steps).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOCYCLO := github.com/fzipp/gocyclo/cmd/gocyclo@v0.6.0
vet:
	@echo "== vetting for Linux, Windows and macOS, then staticcheck (fetched on first use)"
	CGO_ENABLED=0 $(GO) vet -tags ci ./...
	CGO_ENABLED=0 $(GO) run $(STATICCHECK) -tags ci ./...
	CGO_ENABLED=0 GOOS=windows $(GO) vet -tags ci ./...
	CGO_ENABLED=0 GOOS=darwin $(GO) vet -tags ci ./envfix/... ./netcheck/...
	@echo "== no function over cyclomatic complexity 15, tests included (gocyclo, fetched on first use; lists those over and fails)"
	$(GO) run $(GOCYCLO) -over 15 .

# Every package, without an X server: the ci tag gives Fyne a software
# driver. With a C compiler the race detector runs too. One package at a
# time (-p 1): a verdict judges every FlowMeter on the machine, so one
# package's test FlowMeter on 0.0.0.0 would change another's verdicts.
test: vet
	@echo "== running every package's tests, one package at a time (the first run builds Fyne's C parts: several minutes)"
	@if command -v gcc >/dev/null && CGO_ENABLED=1 $(GO) env CGO_ENABLED | grep -q 1; then \
		echo "CGO_ENABLED=1 $(GO) test -p 1 -race -tags ci ./..."; \
		CGO_ENABLED=1 $(GO) test -p 1 -race -tags ci -json ./... | $(GO) run ./testdata/testsummary; \
	else \
		echo "CGO_ENABLED=0 $(GO) test -p 1 -tags ci ./... (no C compiler: no race detector)"; \
		CGO_ENABLED=0 $(GO) test -p 1 -tags ci -json ./... | $(GO) run ./testdata/testsummary; \
	fi
	cd ui/clocale && $(GO) test ./...

FUZZTIME ?= 10m
fuzz:
	cd envfix && $(GO) test -run '^$$' -fuzz FuzzFixKeepsOthers -fuzztime $(FUZZTIME) .

bench:
	$(GO) run ./testdata/bench
	$(MAKE) bench-window

# The window's figures (issue 5): the real cgo binary under Xvfb against an
# empty Fyne window, hidden to a tray and opened again from its menu; needs
# xvfb, x11-utils, dbus (dbus-daemon), iproute2 and python3.
bench-window: deps
	$(GO) run ./testdata/bench/window

# A Linux archive, dist/Localguard.tar.xz: the desktop binary with its
# .desktop entry and icon (from FyneApp.toml), by Fyne's packaging tool.
FYNE := fyne.io/tools/cmd/fyne@v1.7.4
package: build
	$(GO) run $(FYNE) package -os linux --exe $(BIN) --app-build 1
	mkdir -p dist && mv Localguard.tar.xz dist/
	@echo "dist/Localguard.tar.xz: unpack it and run 'sudo make install' in it to install Localguard for every user"

# The Windows desktop binary, cross-built with mingw-w64 (Debian's
# gcc-mingw-w64-x86-64) to prove it builds.
windows:
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build -o $(BIN).exe .

# The Windows build tested for real under Wine (issue 10): go test for
# Windows through Wine, the listener-table benchmark and an end-to-end run
# of localguard.exe against a FlowMeter stand-in, in a fresh Wine prefix.
# Needs wine64/wine and gcc-mingw-w64-x86-64 (installed when run as root);
# the end-to-end run adds a network interface when the machine has no
# private address, which needs root.
windows-test:
	bash .ci/windows

clean:
	rm -rf $(BIN) $(BIN).exe dist/
