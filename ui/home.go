package ui

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
)

// spareMissingHome keeps the window's libraries from creating a home folder
// that is not there: Fyne's font index and icon cache go to the user's
// cache folder, which on Linux and the BSDs is $HOME/.cache unless
// XDG_CACHE_HOME says otherwise, and would be made with every folder above
// it. When the home folder is missing, the caches go to a private
// temporary folder for this run; the returned function removes it.
// Localguard's own settings then live in memory (netcheck.Store), and the
// window says so.
func spareMissingHome() (cleanup func()) {
	cleanup = func() {}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || os.Getenv("XDG_CACHE_HOME") != "" {
		return cleanup
	}
	home, err := os.UserHomeDir()
	if err == nil {
		if _, err = os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
			return cleanup
		}
	}
	dir, err := os.MkdirTemp("", "localguard-cache-")
	if err != nil {
		return cleanup
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	return func() { os.RemoveAll(dir) }
}
