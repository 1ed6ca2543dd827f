package firewall

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// macBy names macOS's application firewall in answers.
const macBy = "macOS application firewall"

// socketfilterfw is the application firewall's own tool; its queries need
// no administrator rights.
const socketfilterfw = "/usr/libexec/ApplicationFirewall/socketfilterfw"

// macSnapshot is the application firewall's state: on or off, blocking
// every incoming connection or not, and the apps asked about.
type macSnapshot struct {
	enabled, blockAll bool
	err               error
	blocked           map[string]bool
}

// Decide: off lets everything in; "Block all incoming connections" keeps
// every app's connections out; an app the firewall blocks is kept out; any
// other app's fate is the firewall's prompt or its signed-software setting,
// which Localguard does not read: unknown.
func (s *macSnapshot) Decide(q Query) Answer {
	switch {
	case s.err != nil:
		return Answer{Unknown, macBy, "its state could not be read: " + s.err.Error()}
	case !s.enabled:
		return Answer{Allowed, macBy, "the firewall is off"}
	case s.blockAll:
		return Answer{Blocked, macBy, "Block all incoming connections is on"}
	case q.Program == "":
		return Answer{Unknown, macBy, "the listening program is not known"}
	}
	blocked, err := appBlocked(q.Program)
	if err != nil {
		return Answer{Unknown, macBy, err.Error()}
	}
	if blocked {
		return Answer{Blocked, macBy, q.Program + " is set to block incoming connections"}
	}
	return Answer{Unknown, macBy, q.Program + " is not set to block incoming connections, and whether the firewall lets it in is up to settings Localguard does not read"}
}

func read([]string) Snapshot {
	s := &macSnapshot{}
	out, err := sff("--getglobalstate")
	if err != nil {
		return &macSnapshot{err: err}
	}
	// "Firewall is enabled. (State = 1)", "Firewall is disabled. (State = 0)"
	s.enabled = saysEnabled(out)
	out, err = sff("--getblockall")
	if err != nil {
		return &macSnapshot{err: err}
	}
	// "Firewall has block all state set to enabled.", "Block all DISABLED!"
	s.blockAll = saysEnabled(out)
	return s
}

func saysEnabled(out string) bool {
	out = strings.ToLower(out)
	return strings.Contains(out, "enabled") && !strings.Contains(out, "disabled")
}

// appBlocked asks whether the firewall blocks a program's connections.
func appBlocked(program string) (bool, error) {
	out, err := sff("--getappblocked", program)
	if err != nil {
		return false, err
	}
	return strings.Contains(out, "is blocked"), nil
}

func sff(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, socketfilterfw, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("socketfilterfw %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}

// stamp reads the firewall again every half minute: macOS gives no cheap
// change mark Localguard knows of.
func stamp() string { return fmt.Sprintf("time %d", time.Now().Unix()/30) }
