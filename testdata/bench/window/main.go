// Command window measures Localguard's window, the figures of issue 5, run
// by `make bench` (`go run ./testdata/bench/window` from the module root;
// Linux, with Xvfb, ImageMagick, dbus-daemon and python3):
//
//   - the first verdict on screen: from starting the real (cgo) binary
//     against an exposed FlowMeter-like server to the moment the screen
//     shows the red shield (waitcolor.py reads the screen every 5 ms);
//   - resident memory next to an empty Fyne window of the same size
//     (./testdata/bench/emptywindow), built and measured in the same run;
//   - CPU while the window is hidden to the tray and nothing changes: the
//     window is closed as a window manager's close button does, with a
//     StatusNotifierWatcher (this program) on a private session bus, so
//     that Localguard has a tray to hide in.
//
// It prints the figures and asserts nothing; it exits 1 only when it could
// not measure. Everything it starts is stopped at the end and on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// config is one run's durations.
type config struct {
	settle time.Duration // after a window shows, before measuring
	idle   time.Duration // how long idle CPU is measured
}

func main() {
	var c config
	flag.DurationVar(&c.settle, "settle", 3*time.Second, "wait after a window shows, before measuring")
	flag.DurationVar(&c.idle, "idle", 20*time.Second, "how long to measure idle CPU")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := newBench(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench window: %v\n", err)
		os.Exit(1)
	}
	err = b.measure(c)
	b.cleanup()
	b.print()
	if err != nil {
		if ctx.Err() != nil {
			err = errors.New("interrupted")
		}
		fmt.Fprintf(os.Stderr, "bench window: could not measure: %v\n", err)
		os.Exit(1)
	}
}

// measure runs the steps in order; a step that cannot measure stops it.
func (b *bench) measure(c config) error {
	lg, err := b.build(".", "localguard")
	if err != nil {
		return err
	}
	empty, err := b.build("./testdata/bench/emptywindow", "emptywindow")
	if err != nil {
		return err
	}
	if err := b.startX(); err != nil {
		return err
	}
	if err := b.startBus(); err != nil {
		return err
	}
	env, err := b.startFlowMeter()
	if err != nil {
		return err
	}

	// The empty Fyne window: memory and idle CPU, shown.
	b.logf("measuring an empty Fyne window")
	peer, err := b.start(empty)
	if err != nil {
		return err
	}
	if _, err := b.waitWindow("Empty Fyne window", 20*time.Second); err != nil {
		return err
	}
	b.sleep(c.settle)
	emptyRSS := rss(peer.Process.Pid)
	emptyCPU := cpuShare(peer.Process.Pid, c.idle, b.sleep)
	b.stopProcess(peer)

	// Localguard: first verdict, memory shown, then hidden to the tray.
	b.logf("measuring Localguard")
	red, err := b.watchRed(10 * time.Second)
	if err != nil {
		return err
	}
	started := time.Now()
	app, err := b.start(lg, "--env", env)
	if err != nil {
		return err
	}
	win, err := b.waitWindow("Localguard", 20*time.Second)
	if err != nil {
		return err
	}
	appeared := time.Since(started)
	first, err := red.first(started)
	if err != nil {
		return err
	}
	b.report("window up: %.2f s after start; first verdict on screen (the red shield read off the screen every 5 ms): %.2f s (issue 5: at most 1 s)", appeared.Seconds(), first.Seconds())
	b.sleep(c.settle)
	shownRSS := rss(app.Process.Pid)
	if err := b.closeWindow(win); err != nil {
		return err
	}
	if err := b.waitUnmapped(win, 5*time.Second); err != nil {
		return err
	}
	if !alive(app.Process.Pid) {
		return errors.New("Localguard quit when its window was closed, though a tray was there")
	}
	b.sleep(c.settle)
	hiddenCPU := cpuShare(app.Process.Pid, c.idle, b.sleep)
	hiddenRSS := rss(app.Process.Pid)
	if w, h, err := b.tray.iconSize(); err != nil || w == 0 {
		b.report("tray icon: none shown (%v)", err)
	} else {
		b.report("tray icon: a %d×%d bitmap", w, h)
	}
	b.report("idle CPU over %v, window hidden to the tray: %.2f %% of one core (issue 5: at most 1 %%); empty Fyne window, shown: %.2f %%",
		c.idle, hiddenCPU, emptyCPU)
	b.report("resident memory: Localguard %.1f MiB shown, %.1f MiB hidden; empty Fyne window %.1f MiB; ratio %.2f shown, %.2f hidden (issue 5: at most 1.3)",
		mib(shownRSS), mib(hiddenRSS), mib(emptyRSS), ratio(shownRSS, emptyRSS), ratio(hiddenRSS, emptyRSS))
	// Back from the tray: the menu's "Open Localguard", clicked as a panel
	// does, while the UI thread rests.
	clicked := time.Now()
	if err := b.tray.click("Open Localguard"); err != nil {
		return err
	}
	if err := b.waitMapped(win, 5*time.Second); err != nil {
		return err
	}
	b.report("window shown again %.2f s after \"Open Localguard\" in the tray menu", time.Since(clicked).Seconds())
	listening, err := listensOn(app.Process.Pid)
	if err != nil {
		b.report("listening sockets of Localguard: could not tell (%v)", err)
	} else {
		b.report("listening sockets of Localguard: %d", listening)
	}
	return nil
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// moduleRoot is the folder of the go.mod of the current directory.
func moduleRoot() (string, error) {
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
