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
var ErrNoInstall = errors.New("no FlowMeter install found and no FlowMeter running: pass --env /path/to/FlowMeter/backend/.env (or choose the folder in the window)")

// commonPlaces are where people keep a FlowMeter checkout, under home.
var commonPlaces = []string{
	"FlowMeter", "flowmeter", "flow-meter",
	"src/FlowMeter", "src/flowmeter", "code/FlowMeter", "code/flowmeter",
	"projects/FlowMeter", "projects/flowmeter", "git/FlowMeter", "git/flowmeter",
	"dev/FlowMeter", "dev/flowmeter", "Documents/FlowMeter", "Desktop/FlowMeter",
}

// Discover finds the FlowMeter installs on this machine, in the order Open
// chooses from: first the installs of the FlowMeters running now whose
// process Localguard may read (its working folder, command line or
// PYTHONPATH names the backend), those listening beyond this computer
// before those on loopback, as they can be exposed now; then the install
// remembered in store; then checkouts in common places under home. With
// none found, the error wraps ErrNoInstall.
func Discover(ctx context.Context, store *Store, home string) ([]Install, error) {
	known := knownInstalls(store, home)
	var hints []Hint
	for _, in := range known {
		hints = append(hints, hintFor(in.EnvPath, os.Environ()))
	}
	socks, err := new(Scanner).Scan(ctx, hints...)
	found := mergeInstalls(runningInstalls(socks), known)
	if len(found) == 0 {
		if err != nil {
			return nil, errors.Join(ErrNoInstall, err)
		}
		return nil, ErrNoInstall
	}
	return found, nil
}

// knownInstalls are the installs known without looking at processes: the
// remembered one, then checkouts in common places.
func knownInstalls(store *Store, home string) []Install {
	var found []Install
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
	return found
}

// runningInstalls are the installs of the FlowMeters found running, those
// listening beyond loopback first: the one a fix is most needed for.
func runningInstalls(socks []FlowMeterSocket) []Install {
	var out []Install
	for _, beyond := range []bool{true, false} {
		for _, s := range socks {
			if s.Backend != "" && !s.Unchecked && !s.Foreign && !s.Addr.IsLoopback() == beyond {
				out = addInstall(out, filepath.Join(s.Backend, ".env"), FoundRunning)
			}
		}
	}
	return out
}

// mergeInstalls appends the installs of b that a does not have.
func mergeInstalls(a, b []Install) []Install {
	for _, in := range b {
		a = addInstall(a, in.EnvPath, in.How)
	}
	return a
}

// addInstall adds an install unless it is listed already.
func addInstall(list []Install, path, how string) []Install {
	if slices.ContainsFunc(list, func(i Install) bool { return sameInstall(i.EnvPath, path) }) {
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

// ErrNotFlowMeter means a folder chosen as FlowMeter's holds no FlowMeter
// backend.
var ErrNotFlowMeter = errors.New("not a FlowMeter folder")

// notFlowMeter is a refused choice: its one sentence, which is
// ErrNotFlowMeter.
type notFlowMeter string

func (e notFlowMeter) Error() string        { return string(e) }
func (e notFlowMeter) Is(target error) bool { return target == ErrNotFlowMeter }

// InstallIn is the settings file of the FlowMeter a person chose: the
// checkout (which has backend/), its backend folder, or the backend's .env
// itself. Any other folder (backend/app, a random one) is refused in one
// sentence, wrapping ErrNotFlowMeter.
func InstallIn(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%s cannot be opened: %w", path, err)
	}
	if !info.IsDir() {
		if filepath.Base(path) == ".env" && isBackend(filepath.Dir(path)) {
			return path, nil
		}
		return "", notFlowMeter(fmt.Sprintf("%s is not the .env of a FlowMeter backend: choose the FlowMeter folder, its backend folder, or backend/.env", path))
	}
	if isBackend(filepath.Join(path, "backend")) {
		return filepath.Join(path, "backend", ".env"), nil
	}
	if isBackend(path) {
		return filepath.Join(path, ".env"), nil
	}
	if isBackend(filepath.Dir(path)) && filepath.Base(path) == "app" {
		return "", notFlowMeter(fmt.Sprintf("%s is FlowMeter's app folder: choose the FlowMeter folder or its backend folder, one level up", path))
	}
	return "", notFlowMeter(fmt.Sprintf("%s has no FlowMeter in it: choose the FlowMeter folder, the one with backend/ in it", path))
}
