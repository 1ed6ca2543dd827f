// Command window measures Localguard on the desktop, the figures of
// issues 5 and 14, run by `make bench-window` (`go run
// ./testdata/bench/window` from the module root; Linux, with Xvfb,
// dbus-daemon and python3). Everything runs on its own X server and a
// private session bus on which this program is the desktop's tray (a
// StatusNotifierWatcher that reads icons and clicks menus as a panel does)
// and its notification service. In one run, side by side:
//
//   - an empty Fyne window of the same size (./testdata/bench/emptywindow)
//     and a bare fyne.io/systray program (./testdata/bench/baretray):
//     their resident memory and idle CPU are the peers' figures;
//   - Localguard started hidden, as at login, against an exposed
//     FlowMeter-like server: its resident memory and CPU in the tray,
//     window closed, nothing changing;
//   - a change of verdict with the window closed (FlowMeter stops; then
//     its .env is fixed): from the change to the tray's new icon and to
//     the notification;
//   - the window opened from the tray menu: from the click to the
//     verdict's shield on screen, read off the screen every 5 ms; its
//     memory beside the empty window's;
//   - a second start of Localguard: it hands over to the first, whose
//     window opens.
//
// It prints the figures and asserts none of the timings (the machine is
// shared); it exits 1 only when it could not measure. Everything it starts
// is stopped at the end and on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config is one run's durations.
type config struct {
	settle   time.Duration // after a window or tray shows, before measuring
	idle     time.Duration // how long the peers' idle CPU is measured
	resident time.Duration // how long Localguard's CPU in the tray is measured
}

func main() {
	var c config
	flag.DurationVar(&c.settle, "settle", 3*time.Second, "wait after a window or tray icon shows, before measuring")
	flag.DurationVar(&c.idle, "idle", 20*time.Second, "how long to measure the peers' idle CPU")
	flag.DurationVar(&c.resident, "resident", 60*time.Second, "how long to measure Localguard's CPU in the tray")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b, err := newBench(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench window: %v\n", err)
		os.Exit(1)
	}
	err = b.measure(c)
	if err != nil {
		b.showLogs()
	}
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

// bins are the programs one run builds.
type bins struct{ localguard, empty, bare string }

// measure runs the steps in order; a step that cannot measure stops it.
func (b *bench) measure(c config) error {
	var bin bins
	var err error
	if bin.localguard, err = b.build(".", "localguard"); err != nil {
		return err
	}
	if bin.empty, err = b.build("./testdata/bench/emptywindow", "emptywindow"); err != nil {
		return err
	}
	if bin.bare, err = b.build("./testdata/bench/baretray", "baretray"); err != nil {
		return err
	}
	if err := b.startX(); err != nil {
		return err
	}
	if err := b.startBus(); err != nil {
		return err
	}
	fm, err := b.startFlowMeter()
	if err != nil {
		return err
	}
	peers, err := b.measurePeers(c, bin)
	if err != nil {
		return err
	}
	lg, err := b.measureResident(c, bin, peers)
	if err != nil {
		return err
	}
	if err := b.measureChanges(fm); err != nil {
		return err
	}
	win, err := b.measureOpen(c, lg, peers)
	if err != nil {
		return err
	}
	return b.measureHandOver(bin, lg, win)
}

// peers are the figures of the empty window and the bare tray.
type peers struct {
	emptyRSS, bareRSS int64
	emptyCPU, bareCPU float64
}

// measurePeers measures the empty Fyne window, shown, and the bare
// systray program, in the tray.
func (b *bench) measurePeers(c config, bin bins) (peers, error) {
	var p peers
	b.logf("measuring an empty Fyne window")
	empty, err := b.start(bin.empty)
	if err != nil {
		return p, err
	}
	if _, err := b.waitWindow("Empty Fyne window", 20*time.Second); err != nil {
		return p, err
	}
	b.sleep(c.settle)
	p.emptyRSS = rss(empty.Process.Pid)
	p.emptyCPU = cpuShare(empty.Process.Pid, c.idle, b.sleep)
	b.stopProcess(empty)

	b.logf("measuring a bare fyne.io/systray program")
	n := b.tray.count()
	bare, err := b.start(bin.bare, filepath.Join(b.root, "assets", "shield-safe.png"))
	if err != nil {
		return p, err
	}
	if err := b.tray.waitRegistered(n, 10*time.Second); err != nil {
		return p, fmt.Errorf("the bare tray program: %w", err)
	}
	b.sleep(c.settle)
	p.bareRSS = rss(bare.Process.Pid)
	p.bareCPU = cpuShare(bare.Process.Pid, c.idle, b.sleep)
	b.stopProcess(bare)
	b.report("peers: empty Fyne window %.1f MiB, %.2f %% of a core shown; bare fyne.io/systray program %.1f MiB, %.2f %% in the tray",
		mib(p.emptyRSS), p.emptyCPU, mib(p.bareRSS), p.bareCPU)
	return p, nil
}

// measureResident starts Localguard hidden, as at login, and measures it
// in the tray with its window closed.
func (b *bench) measureResident(c config, bin bins, p peers) (*exec.Cmd, error) {
	b.logf("measuring Localguard in the tray (%v)", c.resident)
	n := b.tray.count()
	started := time.Now()
	lg, err := b.start(bin.localguard, "--hidden", "--env", b.envPath)
	if err != nil {
		return nil, err
	}
	if err := b.tray.waitRegistered(n, 10*time.Second); err != nil {
		return nil, fmt.Errorf("Localguard: %w", err)
	}
	if err := b.tray.waitIcon(colorExposed, 10*time.Second); err != nil {
		return nil, err
	}
	b.report("tray: the exposed shield %.2f s after start, hidden as at login", time.Since(started).Seconds())
	if out, _ := b.xOutput("xwininfo", "-root", "-tree"); strings.Contains(string(out), `"Localguard`) {
		return nil, errors.New("Localguard opened a window though started hidden")
	}
	b.sleep(c.settle)
	cpu := cpuShare(lg.Process.Pid, c.resident, b.sleep)
	mem := rss(lg.Process.Pid)
	b.report("in the tray, window closed, nothing changing: %.1f MiB resident (issue 14: at most 30; bare systray %.1f), of which %s; %.3f %% of a core over %v (issue 14: at most 0.1 %%; bare systray %.3f %%)",
		mib(mem), mib(p.bareRSS), rssParts(lg.Process.Pid), cpu, c.resident, p.bareCPU)
	b.reportListening("Localguard in the tray", lg.Process.Pid)
	if kids := children(lg.Process.Pid); len(kids) > 0 {
		return nil, fmt.Errorf("Localguard in the tray runs child processes %v with no window open", kids)
	}
	return lg, nil
}

// measureChanges changes the verdict twice with the window closed and
// times the tray's icon and the notification: FlowMeter stops (found by
// the watch's next check), then its .env is fixed (found by the file's
// change event).
func (b *bench) measureChanges(fm *exec.Cmd) error {
	steps := []struct {
		what   string
		color  string
		change func() error
	}{
		{"FlowMeter stopped (exposed to at risk; found by the look at the listening sockets, every second)", colorAtRisk, func() error {
			fm.Process.Kill()
			return nil
		}},
		{".env set to HOST=127.0.0.1 (at risk to safe; found by the file's change)", colorSafe, func() error {
			return os.WriteFile(b.envPath, []byte(strings.Replace(string(must(os.ReadFile(b.envPath))), "HOST=0.0.0.0", "HOST=127.0.0.1", 1)), 0o644)
		}},
	}
	for _, s := range steps {
		notes := b.tray.notifications()
		changed := time.Now()
		if err := s.change(); err != nil {
			return err
		}
		if err := b.tray.waitIcon(s.color, 10*time.Second); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		icon := time.Since(changed)
		at, err := b.tray.waitNotification(notes, 10*time.Second)
		if err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		b.report("verdict change, window closed: %s: tray icon %.2f s, notification %.2f s after the change (issue 14: at most 1.5 s)",
			s.what, icon.Seconds(), at.Sub(changed).Seconds())
	}
	return nil
}

// measureOpen opens the window from the tray menu and times the verdict
// on screen; then measures the window's memory, and closes it.
func (b *bench) measureOpen(c config, lg *exec.Cmd, p peers) (string, error) {
	green, err := b.watchColor(colorSafe, 10*time.Second)
	if err != nil {
		return "", err
	}
	clicked := time.Now()
	if err := b.tray.click("Open Localguard"); err != nil {
		return "", err
	}
	shown, err := green.first(clicked)
	if err != nil {
		return "", fmt.Errorf("opening the window from the tray: %w", err)
	}
	b.report("window opened from the tray menu: its verdict (the green shield) on screen %.2f s after the click (issue 14: at most 0.7 s)", shown.Seconds())
	win, err := b.waitWindow("Localguard", 5*time.Second)
	if err != nil {
		return "", err
	}
	b.sleep(c.settle)
	kids := children(lg.Process.Pid)
	if len(kids) != 1 {
		return "", fmt.Errorf("want one window process under Localguard, found %v", kids)
	}
	winRSS, trayRSS := rss(kids[0]), rss(lg.Process.Pid)
	b.report("window shown: its process %.1f MiB (%s), %.2f× the empty Fyne window (issue 14: at most 1.3); with the tray's %.1f MiB, %.1f MiB in all",
		mib(winRSS), rssParts(kids[0]), ratio(winRSS, p.emptyRSS), mib(trayRSS), mib(winRSS+trayRSS))
	b.reportListening("Localguard's window", kids[0])
	if err := b.closeWindow(win); err != nil {
		return "", err
	}
	if err := waitGone(kids[0], 5*time.Second); err != nil {
		return "", fmt.Errorf("closing the window: %w", err)
	}
	if !alive(lg.Process.Pid) {
		return "", errors.New("Localguard quit when its window was closed, though a tray was there")
	}
	b.report("window closed: its process ended; Localguard stays in the tray")
	return win, nil
}

// measureHandOver starts Localguard a second time: it must hand over to
// the first, whose window opens, and end.
func (b *bench) measureHandOver(bin bins, lg *exec.Cmd, _ string) error {
	started := time.Now()
	second, err := b.start(bin.localguard)
	if err != nil {
		return err
	}
	if err := waitGone(second.Process.Pid, 5*time.Second); err != nil {
		return fmt.Errorf("a second start did not hand over: %w", err)
	}
	if _, err := b.waitWindow("Localguard", 5*time.Second); err != nil {
		return fmt.Errorf("a second start: %w", err)
	}
	kids := children(lg.Process.Pid)
	b.report("second start: handed over and ended; the first's window open %.2f s after it (window processes under the first: %d)", time.Since(started).Seconds(), len(kids))
	if err := b.tray.click("Quit"); err != nil {
		return err
	}
	if err := waitGone(lg.Process.Pid, 5*time.Second); err != nil {
		return fmt.Errorf("Quit in the tray menu: %w", err)
	}
	for _, k := range kids {
		if alive(k) {
			return fmt.Errorf("Quit left the window process %d running", k)
		}
	}
	b.report("Quit in the tray menu: Localguard and its window ended")
	return nil
}

// reportListening reports the listening sockets of pid.
func (b *bench) reportListening(who string, pid int) {
	listening, err := listensOn(pid)
	if err != nil {
		b.report("listening sockets of %s: could not tell (%v)", who, err)
	} else {
		b.report("listening sockets of %s: %d", who, listening)
	}
}

// The shields' colours, as the screen and the tray icon show them.
const (
	colorExposed = "cf222e"
	colorAtRisk  = "d4a72c"
	colorSafe    = "2da44e"
)

func must(b []byte, err error) []byte {
	if err != nil {
		return nil
	}
	return b
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
