# Localguard. Quick start on Debian/Ubuntu with Go: `make run`, `make test`.

GO      ?= go
BIN     ?= localguard
# The desktop program (the tray and the window) beside the command line:
# `localguard` is built with the tag nogui, without Fyne (a check from a
# script starts in a third of the time), and hands over to it when asked
# for the window (window_nogui.go).
GUI     ?= localguard-gui

# One version, FyneApp.toml's, for the binary (-ldflags -X), the Windows
# resource, the installer and the Debian package. COMMIT and BUILD_DATE
# (the commit's date, so a build is reproducible) come from git.
VERSION    ?= $(shell sed -n '/^\[Details\]/,/^\[/s/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
COMMIT     ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git status --porcelain 2>/dev/null | grep -q . && echo -dirty)
BUILD_DATE ?= $(shell date -u -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s) +%Y-%m-%d)
LDFLAGS    := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)
PUBLISHER  ?= The Localguard authors
# Every package vetted and tested: ./... leaves out testdata/, whose
# importable test helpers are named here.
ALL_PKGS := ./... ./testdata/netns/ ./testdata/need/ ./testdata/privatebus/ ./testdata/listener/ ./testdata/bench/module/
# What the desktop build needs (Debian names); `make deps` installs them.
DESKTOP_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev
# What the tests use when present (they skip, saying so, when absent).
TEST_PKGS := python3-dotenv python3-pydantic python3-uvicorn python3-fastapi gunicorn iproute2 util-linux acl attr dbus socat nginx-light openssh-server openssh-client nftables iptables firewalld docker.io docker-compose haproxy rinetd xvfb x11-utils xdotool openbox

.PHONY: run build deps test test-deps vet fuzz bench bench-window package deb windows installer release version windows-test clean

run: build
	@echo "== opening Localguard (./$(BIN), which starts ./$(GUI))"
	./$(BIN)

build: deps
	@echo "== building $(GUI), the tray and the window (the first build compiles Fyne's C parts: several minutes)"
	CGO_ENABLED=1 $(GO) build -ldflags "$(LDFLAGS)" -o $(GUI) .
	@echo "== building $(BIN), the command line"
	CGO_ENABLED=0 $(GO) build -tags nogui -ldflags "$(LDFLAGS)" -o $(BIN) .

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
	CGO_ENABLED=0 $(GO) vet -tags ci $(ALL_PKGS)
	CGO_ENABLED=0 $(GO) vet -tags nogui .
	CGO_ENABLED=0 $(GO) run $(STATICCHECK) -tags ci $(ALL_PKGS)
	CGO_ENABLED=0 GOOS=windows $(GO) vet -tags ci ./...
	CGO_ENABLED=0 GOOS=windows $(GO) vet -tags nogui .
	CGO_ENABLED=0 GOOS=darwin $(GO) vet -tags ci ./envfix/... ./netcheck/...
	@echo "== no function over cyclomatic complexity 15, tests included (gocyclo, fetched on first use; lists those over and fails)"
	$(GO) run $(GOCYCLO) -over 15 .

# Every package, without an X server: the ci tag gives Fyne a software
# driver. With a C compiler the race detector runs too. As root, each test
# that starts real processes runs in a network namespace of its own
# (testdata/netns), so no other test's FlowMeter sways its verdict; one
# package at a time (-p 1) still, for runs without root, where they share
# the machine's.
test: vet
	@echo "== running every package's tests, one package at a time (the first run builds Fyne's C parts: several minutes)"
	@if command -v gcc >/dev/null && CGO_ENABLED=1 $(GO) env CGO_ENABLED | grep -q 1; then \
		echo "== building every package's tests first, on every core (-p 1 below would build on one)"; \
		CGO_ENABLED=1 $(GO) test -race -tags ci -exec /bin/true $(ALL_PKGS) >/dev/null || exit 1; \
		echo "CGO_ENABLED=1 $(GO) test -p 1 -race -tags ci $(ALL_PKGS)"; \
		CGO_ENABLED=1 $(GO) test -p 1 -timeout 30m -race -tags ci -json $(ALL_PKGS) | $(GO) run ./testdata/testsummary; \
	else \
		echo "== building every package's tests first, on every core (-p 1 below would build on one)"; \
		CGO_ENABLED=0 $(GO) test -tags ci -exec /bin/true $(ALL_PKGS) >/dev/null || exit 1; \
		echo "CGO_ENABLED=0 $(GO) test -p 1 -tags ci $(ALL_PKGS) (no C compiler: no race detector)"; \
		CGO_ENABLED=0 $(GO) test -p 1 -timeout 30m -tags ci -json $(ALL_PKGS) | $(GO) run ./testdata/testsummary; \
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

# The Debian package, dist/localguard_$(VERSION)_amd64.deb (dpkg-deb): the
# command line in /usr/bin, the desktop program it starts in
# /usr/libexec/localguard, the desktop entry, icon and AppStream metainfo;
# Depends computed from the libraries the desktop program links
# (dpkg-shlibdeps), checked with lintian when it is there.
DEB = dist/localguard_$(VERSION)_amd64.deb
deb: deps
	@echo "== building $(DEB)"
	CGO_ENABLED=1 $(GO) build -ldflags "-s -w $(LDFLAGS)" -o dist/linux/$(GUI) .
	CGO_ENABLED=0 $(GO) build -tags nogui -ldflags "-s -w $(LDFLAGS)" -o dist/linux/$(BIN) .
	VERSION=$(VERSION) BUILD_DATE=$(BUILD_DATE) sh assets/linux/build-deb dist/linux/$(BIN) dist/linux/$(GUI) $(DEB)

# The old name of the Linux package.
package: deb

# The Windows programs, cross-built with mingw-w64 (Debian's
# gcc-mingw-w64-x86-64): localguard.exe for the GUI subsystem (the tray and
# the window; no console) and localguard.com for the console, the command
# line without Fyne (-tags nogui; `localguard check` in cmd or PowerShell
# runs it, .COM coming before .EXE; asked for the window it starts the
# .exe). Both carry the icon, the version resource
# and a manifest (go-winres, fetched on first use, pinned).
WINRES := github.com/tc-hib/go-winres@v0.3.3
WINDOWS_ENV := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc
WINRES_FLAGS = --arch amd64 --out rsrc --icon assets/Icon.png --product-name Localguard \
	--file-description "Localguard: keeps FlowMeter reachable from this computer only" \
	--copyright "$(PUBLISHER)" --product-version $(VERSION) --file-version $(VERSION)
# WINOUT: the folder they go to. They are built again only when a source,
# the version or the commit changed.
WINOUT ?= .
WIN_STAMP = $(WINOUT)/.windows-build-$(VERSION)-$(COMMIT)-$(BUILD_DATE)
GO_SOURCES := $(shell find . -name '*.go' -not -path './dist/*') FyneApp.toml go.mod go.sum assets/Icon.png
windows: $(WIN_STAMP)
$(WIN_STAMP): $(GO_SOURCES)
	@echo "== building $(WINOUT)/$(BIN).exe (GUI) and $(WINOUT)/$(BIN).com (console), version $(VERSION)"
	mkdir -p $(WINOUT)
	$(GO) run $(WINRES) simply $(WINRES_FLAGS) --manifest gui --original-filename $(BIN).exe
	$(WINDOWS_ENV) $(GO) build -ldflags "-s -w -H=windowsgui $(LDFLAGS)" -o $(WINOUT)/$(BIN).exe . ; \
		status=$$?; rm -f rsrc_windows_amd64.syso; exit $$status
	$(GO) run $(WINRES) simply $(WINRES_FLAGS) --manifest cli --original-filename $(BIN).com
	$(WINDOWS_ENV) $(GO) build -tags nogui -ldflags "-s -w $(LDFLAGS)" -o $(WINOUT)/$(BIN).com . ; \
		status=$$?; rm -f rsrc_windows_amd64.syso; exit $$status
	rm -f $(WINOUT)/.windows-build-*
	touch $@

# The per-user Windows installer, dist/Localguard-$(VERSION)-setup.exe,
# built with Debian's makensis (nsis) as a 64-bit program. With
# SIGN_PKCS12 set (see README, Signing), the programs, the uninstaller and
# the installer are Authenticode-signed with osslsigncode.
INSTALLER = dist/Localguard-$(VERSION)-setup.exe
# zlib builds faster, for tests; lzma is smaller.
NSIS_COMPRESSOR ?= /SOLID lzma
VERSION4 = $(shell echo "$(VERSION)" | sed 's/[^0-9.].*//' | awk -F. '{printf "%d.%d.%d.%d", $$1, $$2, $$3, $$4}')
installer: windows
	@echo "== building $(INSTALLER)"
	mkdir -p dist/windows
	cp $(WINOUT)/$(BIN).exe $(WINOUT)/$(BIN).com dist/windows/
	sh assets/windows/png2ico assets/Icon.png dist/windows/Localguard.ico
	sh assets/windows/sign dist/windows/$(BIN).exe
	sh assets/windows/sign dist/windows/$(BIN).com
	makensis -V2 -NOCD -DCOMPRESSOR="$(NSIS_COMPRESSOR)" -DVERSION=$(VERSION) -DVERSION4=$(VERSION4) "-DPUBLISHER=$(PUBLISHER)" \
		-DPROGRAMS=dist/windows -DICON=dist/windows/Localguard.ico -DOUTFILE=$(INSTALLER) assets/windows/installer.nsi
	@if [ -n "$$SIGN_PKCS12" ]; then osslsigncode verify $${SIGN_CAFILE:+-CAfile "$$SIGN_CAFILE"} -in $(INSTALLER) >/dev/null && echo "$(INSTALLER): signed"; \
	else echo "$(INSTALLER): not signed (no SIGN_PKCS12)"; fi

# The version every artifact carries (for scripts: make -s version).
version:
	@echo $(VERSION)

# Every artifact of a release, with their checksums.
release: deb installer
	cd dist && sha256sum localguard_$(VERSION)_amd64.deb Localguard-$(VERSION)-setup.exe > SHA256SUMS
	@echo "== dist/SHA256SUMS"; cat dist/SHA256SUMS

# The Windows build tested for real under Wine (issue 10): go test for
# Windows through Wine, the listener-table benchmark and an end-to-end run
# of localguard.exe against a FlowMeter stand-in, in a fresh Wine prefix.
# Needs wine64/wine and gcc-mingw-w64-x86-64 (installed when run as root);
# the end-to-end run adds a network interface when the machine has no
# private address, which needs root.
windows-test:
	bash .ci/windows

clean:
	rm -rf $(BIN) $(GUI) $(BIN).exe $(BIN).com .windows-build-* rsrc_windows_amd64.syso dist/
