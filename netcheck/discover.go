package netcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// How an install was found.
const (
	FoundRemembered = "remembered"
	FoundRunning    = "running"
	FoundCommon     = "common place"
)

// Install is a FlowMeter checkout Localguard found, named by its
// backend/.env (which need not exist).
type Install struct {
	EnvPath string
	How     string
}

// ErrNoInstall means no FlowMeter install was found.
var ErrNoInstall = errors.New("no FlowMeter install found: pass --env /path/to/FlowMeter/backend/.env (or choose the folder in the window)")

// commonPlaces are where people keep a FlowMeter checkout, under home.
var commonPlaces = []string{
	"FlowMeter", "flowmeter", "flow-meter",
	"src/FlowMeter", "src/flowmeter", "code/FlowMeter", "code/flowmeter",
	"projects/FlowMeter", "projects/flowmeter", "git/FlowMeter", "git/flowmeter",
	"dev/FlowMeter", "dev/flowmeter", "Documents/FlowMeter", "Desktop/FlowMeter",
}

// Discover finds the FlowMeter installs on this machine, the one to use
// first: the install remembered from the last use, else a FlowMeter running
// now (the .env of its working directory), else a checkout in a common
// place under home. When a FlowMeter runs from another install than the
// remembered one, the running one comes first: it is the one that can be
// exposed now. The others follow.
func Discover(ctx context.Context, store *Store, home string) ([]Install, error) {
	var running, found []Install
	socks, err := new(Scanner).Scan(ctx, "", 0, "")
	for _, s := range socks {
		if s.Owner != nil && s.Owner.Cwd != "" && s.Owner.Start == StartPythonModule {
			running = addInstall(running, filepath.Join(s.Owner.Cwd, ".env"), FoundRunning)
		}
	}
	found = append(found, running...)
	if store != nil && store.Install != "" && isCheckout(filepath.Dir(store.Install)) {
		found = addInstall(found, store.Install, FoundRemembered)
	}
	if home != "" {
		for _, p := range commonPlaces {
			if dir := filepath.Join(home, p, "backend"); isCheckout(dir) {
				found = addInstall(found, filepath.Join(dir, ".env"), FoundCommon)
			}
		}
	}
	if len(found) == 0 {
		if err != nil {
			return nil, fmt.Errorf("%w (looking for running FlowMeter processes failed: %v)", ErrNoInstall, err)
		}
		return nil, ErrNoInstall
	}
	return found, nil
}

// addInstall adds an install unless its path is listed already.
func addInstall(list []Install, path, how string) []Install {
	if slices.ContainsFunc(list, func(i Install) bool { return i.EnvPath == path }) {
		return list
	}
	return append(list, Install{EnvPath: path, How: how})
}

// isCheckout reports whether dir looks like FlowMeter's backend folder.
func isCheckout(dir string) bool {
	for _, name := range []string{".env", ".env.example", filepath.Join("app", "main.py")} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
