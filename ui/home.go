package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// homeMissing is set, for the run, when the user's home folder does not
// exist: Localguard then remembers nothing (netcheck.MemoryStore) and says
// so.
var homeMissing error

// spareMissingHome keeps the window's libraries from creating a home folder
// that is not there: Fyne keeps its preferences in the user's configuration
// folder and its font index and icon cache in the cache folder, which on
// Linux and the BSDs are $HOME/.config and $HOME/.cache unless the XDG
// variables say otherwise, and would be made with every folder above them.
// When the home folder is missing, both go to a private temporary folder
// for this run; the returned function removes it.
func spareMissingHome() (cleanup func()) {
	cleanup = func() {}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return cleanup
	}
	home, err := os.UserHomeDir()
	if err == nil {
		if _, err = os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
			return cleanup
		}
		err = fmt.Errorf("the home folder %s does not exist", home)
	}
	homeMissing = err
	dir, err := os.MkdirTemp("", "localguard-")
	if err != nil {
		return func() { homeMissing = nil }
	}
	for _, v := range []string{"XDG_CACHE_HOME", "XDG_CONFIG_HOME"} {
		if os.Getenv(v) == "" {
			os.Setenv(v, dir)
		}
	}
	return func() { homeMissing = nil; os.RemoveAll(dir) }
}
