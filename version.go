package main

// Localguard's version: one source, FyneApp.toml's Version, which the
// Makefile also gives the Windows resource, the installer and the Debian
// package. A build by the Makefile sets all three values with -ldflags -X
// (main.version, main.commit, main.buildDate); a plain `go build` still
// knows its version from the FyneApp.toml embedded here, and its commit
// and date from what go build recorded of the git checkout.

import (
	"cmp"
	_ "embed"
	"fmt"
	"runtime/debug"
	"strings"
)

// Set at build time: go build -ldflags "-X main.version=0.1.0 -X
// main.commit=abc1234 -X main.buildDate=2026-12-06".
var (
	version   string
	commit    string
	buildDate string
)

//go:embed FyneApp.toml
var fyneApp string

// versionLine is what `localguard --version` prints: localguard VERSION
// (COMMIT, BUILD-DATE), "unknown" for what the build did not say.
func versionLine() string {
	c, d := commit, buildDate
	if c == "" || d == "" {
		vc, vd := vcsStamp()
		c, d = cmp.Or(c, vc), cmp.Or(d, vd)
	}
	return fmt.Sprintf("localguard %s (%s, %s)", orUnknown(appVersion()), orUnknown(c), orUnknown(d))
}

// vcsStamp is the commit and its date as go build recorded them from git
// (a build without the Makefile's -ldflags, in a checkout): the commit's
// first 12 digits, "-dirty" when the tree had changes, and its day.
func vcsStamp() (commit, date string) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	dirty := ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value[:min(12, len(s.Value))]
		case "vcs.time":
			date = s.Value[:min(10, len(s.Value))]
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if commit == "" {
		return "", date
	}
	return commit + dirty, date
}

// appVersion is the version set at build time, else FyneApp.toml's.
func appVersion() string {
	if version != "" {
		return version
	}
	return tomlVersion(fyneApp)
}

// tomlVersion reads Version in the [Details] table of a FyneApp.toml (a
// file of ours, written by hand: one key per line).
func tomlVersion(toml string) string {
	table := ""
	for _, line := range strings.Split(toml, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			table = strings.Trim(line, "[] ")
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if ok && table == "Details" && strings.TrimSpace(key) == "Version" {
			return strings.Trim(strings.TrimSpace(value), `"`)
		}
	}
	return ""
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// printVersion is `localguard version` and `localguard --version`.
func (c cli) printVersion(args []string) int {
	if len(args) > 0 {
		fmt.Fprintf(c.err, "localguard version: unexpected argument %q: it takes none.\n", args[0])
		return 3
	}
	fmt.Fprintln(c.out, versionLine())
	return 0
}
