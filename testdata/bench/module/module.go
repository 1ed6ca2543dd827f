// Package module finds the localguard module's folder for the benchmark
// programs (make bench, make bench-window), which build Localguard and its
// peers and read their fixtures from there, wherever in the module they
// are started.
package module

import (
	"errors"
	"os"
	"path/filepath"
)

// Root is the folder of the go.mod of the current directory.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the current directory: run from the localguard module")
		}
		dir = parent
	}
}
