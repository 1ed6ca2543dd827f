// Package clocale makes a C or POSIX locale with a charset ("C.UTF-8",
// Debian's default, "POSIX.UTF-8") read as plain "C" before Fyne looks at
// it: Fyne's lang package parses the locale in its package initialisation
// and logs three "Error parsing user locale C" lines on stderr for
// "C.UTF-8", before main can do anything.
//
// It is a module of its own, named so that its import path sorts before
// fyne.io's: Go initialises packages in import-path order, each once the
// packages it imports are initialised, so this package's init runs before
// Fyne's. Localguard itself does not care about the locale's charset; the
// programs it starts get their own environment (FlowMeter's, read from
// its process), never this one.
package clocale

import (
	"os"
	"strings"
)

// The variables go-locale reads, in its order: the first one set decides.
var localeVars = []string{"LC_ALL", "LC_MESSAGES", "LANG"}

func init() { Normalize() }

// Normalize sets the deciding locale variable to "C" when it names the C
// or POSIX locale with a charset or modifier, and reports whether it did.
func Normalize() bool {
	for _, name := range localeVars {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		base, _, _ := strings.Cut(v, ".")
		base, _, _ = strings.Cut(base, "@")
		if v != base && (base == "C" || base == "POSIX") {
			os.Setenv(name, base)
			return true
		}
		return false
	}
	return false
}
