package ui

import (
	"bytes"
	"image"
	_ "image/png"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"localguard/netcheck"
)

func TestTrayStatusLabel(t *testing.T) {
	tests := []struct {
		verdict string
		known   bool
		want    string
	}{
		{"exposed", false, "Localguard: checking…"},
		{"exposed", true, "Exposed: FlowMeter can be reached on wlan0"},
		{"at-risk", true, "At risk: exposed at FlowMeter's next start"},
		{"safe", true, "Safe: FlowMeter is local-only"},
		{"error", true, "Localguard cannot tell: open it to see why"},
		{"restart-needed", true, "Fixed: restart FlowMeter to finish"},
		{"show-how", true, "Exposed: FlowMeter can be reached on wlan0"},
	}
	for _, tt := range tests {
		if got := trayStatusLabel(verdicts[tt.verdict], tt.known); got != tt.want {
			t.Errorf("trayStatusLabel(%s, known %v) = %q, want %q", tt.verdict, tt.known, got, tt.want)
		}
	}
}

func TestTrayActionLabel(t *testing.T) {
	tests := []struct {
		verdict string
		known   bool
		want    string
		enabled bool
	}{
		{"exposed", false, labelMakeLocal, false},
		{"exposed", true, labelMakeLocal, true},
		{"at-risk", true, labelMakeLocal, true},
		{"safe", true, labelMakeLocal, false},
		{"error", true, labelMakeLocal, false},
		{"restart-needed", true, labelMakeLocal, false},
		{"show-how", true, labelShowHow, true},
	}
	for _, tt := range tests {
		got, enabled := trayActionLabel(verdicts[tt.verdict], tt.known)
		if got != tt.want || enabled != tt.enabled {
			t.Errorf("trayActionLabel(%s, known %v) = %q, %v; want %q, %v", tt.verdict, tt.known, got, enabled, tt.want, tt.enabled)
		}
	}
}

func TestStatusTitle(t *testing.T) {
	tests := map[string]string{
		"exposed":        "Exposed — others can reach FlowMeter",
		"at-risk":        "At risk — FlowMeter would be exposed at its next start",
		"safe":           "Safe — FlowMeter is local-only",
		"error":          "Localguard cannot tell",
		"restart-needed": "Fixed — restart FlowMeter to finish",
		"show-how":       "Exposed — others can reach FlowMeter",
	}
	for name, want := range tests {
		if got := statusTitle(verdicts[name]); got != want {
			t.Errorf("statusTitle(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestShieldFor(t *testing.T) {
	names := map[netcheck.Status]string{
		netcheck.StatusSafe:    "shield-safe",
		netcheck.StatusAtRisk:  "shield-at-risk",
		netcheck.StatusExposed: "shield-exposed",
		netcheck.StatusError:   "shield-unknown",
		"":                     "shield-unknown",
	}
	for s, want := range names {
		sh := shieldFor(s)
		if got := sh.vector.Name(); got != want+".svg" {
			t.Errorf("shieldFor(%q).vector = %s, want %s.svg", s, got, want)
		}
		if got := sh.bitmap.Name(); got != want+".png" {
			t.Errorf("shieldFor(%q).bitmap = %s, want %s.png", s, got, want)
		}
		checkTrayIcon(t, sh.bitmap)
	}
}

// checkTrayIcon fails unless icon is what a tray can show: on Linux,
// fyne.io/systray hands the tray image.Decode's pixels (an SVG there is an
// empty icon), and Windows wants the same before making an .ico.
func checkTrayIcon(t *testing.T, icon fyne.Resource) {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(icon.Content()))
	if err != nil {
		t.Errorf("tray icon %s cannot be decoded as a bitmap: %v", icon.Name(), err)
		return
	}
	if size := img.Bounds().Size(); format != "png" || size.X < 48 || size.Y < 48 {
		t.Errorf("tray icon %s is a %v %s, want a PNG of at least 48×48", icon.Name(), size, format)
	}
}

// TestTrayFor: the tray's shield, tooltip, status line and fix item for
// every state, from the verdict alone.
func TestTrayFor(t *testing.T) {
	tests := []struct {
		verdict  string
		known    bool
		icon     fyne.Resource
		action   string
		actionOn bool
	}{
		{"exposed", false, shieldFor(netcheck.StatusError).bitmap, labelMakeLocal, false},
		{"exposed", true, shieldFor(netcheck.StatusExposed).bitmap, labelMakeLocal, true},
		{"show-how", true, shieldFor(netcheck.StatusExposed).bitmap, labelShowHow, true},
		{"at-risk", true, shieldFor(netcheck.StatusAtRisk).bitmap, labelMakeLocal, true},
		{"safe", true, shieldFor(netcheck.StatusSafe).bitmap, labelMakeLocal, false},
		{"error", true, shieldFor(netcheck.StatusError).bitmap, labelMakeLocal, false},
		{"restart-needed", true, shieldFor(netcheck.StatusExposed).bitmap, labelMakeLocal, false},
	}
	for _, tt := range tests {
		got := trayFor(verdicts[tt.verdict], tt.known)
		status := trayStatusLabel(verdicts[tt.verdict], tt.known)
		want := trayView{icon: tt.icon, tooltip: "Localguard: " + status, status: status, action: tt.action, actionOn: tt.actionOn}
		if got != want {
			t.Errorf("trayFor(%s, known %v) = %+v, want %+v", tt.verdict, tt.known, got, want)
		}
		checkTrayIcon(t, got.icon)
	}
	none := trayNoInstall()
	if none.actionOn || none.icon != shieldFor(netcheck.StatusError).bitmap || !strings.Contains(none.status, "No FlowMeter install") {
		t.Errorf("trayNoInstall() = %+v", none)
	}
}

func TestStatusNotification(t *testing.T) {
	tests := []struct {
		prev  netcheck.Status
		next  string
		fixed bool
		want  string // "" for none
	}{
		{"", "exposed", false, ""},
		{"", "safe", true, ""},
		{netcheck.StatusExposed, "exposed", false, ""},
		{netcheck.StatusSafe, "exposed", false, "FlowMeter can be reached from the network"},
		{netcheck.StatusSafe, "at-risk", false, "FlowMeter would be exposed at its next start"},
		{netcheck.StatusExposed, "safe", true, "FlowMeter is local-only now"},
		{netcheck.StatusAtRisk, "safe", false, "FlowMeter is safe again"},
		{netcheck.StatusExposed, "restart-needed", true, ""},
		{netcheck.StatusAtRisk, "restart-needed", false, "FlowMeter can be reached from the network"},
	}
	for _, tt := range tests {
		n := statusNotification(tt.prev, verdicts[tt.next], tt.fixed)
		got := ""
		if n != nil {
			got = n.Title
		}
		if got != tt.want {
			t.Errorf("statusNotification(%q, %s, fixed %v) = %q, want %q", tt.prev, tt.next, tt.fixed, got, tt.want)
		}
	}
}

// TestNotifierOnlyOnChange feeds a run of verdicts: one notification per
// change of status, none per poll, none for a failed check, none when
// turned off.
func TestNotifierOnlyOnChange(t *testing.T) {
	var sent []string
	on := true
	n := notifier{send: func(x *fyne.Notification) { sent = append(sent, x.Title) }, enabled: func() bool { return on }}
	for _, name := range []string{"at-risk", "at-risk", "exposed", "exposed", "error", "exposed"} {
		n.verdict(verdicts[name])
	}
	n.fixApplied()
	n.verdict(verdicts["restart-needed"])
	n.verdict(verdicts["safe"])
	n.verdict(verdicts["safe"])
	on = false
	n.verdict(verdicts["exposed"])
	want := []string{"FlowMeter can be reached from the network", "FlowMeter is local-only now"}
	if !slices.Equal(sent, want) {
		t.Errorf("sent %q, want %q", sent, want)
	}
}

func TestIntervalLabel(t *testing.T) {
	for _, tt := range []struct {
		s    int
		want string
	}{{1, "every second"}, {2, "every 2 seconds"}, {60, "every minute"}, {7, "every 7 seconds"}} {
		if got := intervalLabel(tt.s); got != tt.want {
			t.Errorf("intervalLabel(%d) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// TestLostAccess: the preview says who loses FlowMeter: the colleagues at
// the addresses it answers on now; nobody when it answers on none.
func TestLostAccess(t *testing.T) {
	if got := lostAccess(verdicts["exposed"]); !strings.Contains(got, "http://192.168.1.23:8000") || !strings.Contains(got, "Colleagues") {
		t.Errorf("exposed: %q", got)
	}
	if got := lostAccess(verdicts["at-risk"]); got != "" {
		t.Errorf("nothing reachable: %q", got)
	}
	// Docker's bridge: this computer's containers, never colleagues.
	v := verdicts["exposed"]
	l := v.Listeners[0]
	l.ExposedOn = []netcheck.Exposure{{Interface: "docker0", Address: "172.17.0.1", Kind: netcheck.KindVirtual, Trusted: true, URL: "http://172.17.0.1:8000"}}
	v.Listeners = []netcheck.Listener{l}
	if got := lostAccess(v); strings.Contains(got, "Colleagues") || !strings.Contains(got, "Containers and virtual machines on this computer (at http://172.17.0.1:8000)") {
		t.Errorf("guests only: %q", got)
	}
}

// TestTrustQuestion: trusting a public address or a VPN asks first; a LAN
// does not, nor does untrusting.
func TestTrustQuestion(t *testing.T) {
	for kind, asks := range map[netcheck.AddrKind]bool{netcheck.KindPublic: true, netcheck.KindVPN: true, netcheck.KindLAN: false, netcheck.KindLinkLocal: false} {
		if got := trustQuestion(netcheck.Exposure{Kind: kind}, true) != ""; got != asks {
			t.Errorf("%s: asks %v, want %v", kind, got, asks)
		}
		if trustQuestion(netcheck.Exposure{Kind: kind}, false) != "" {
			t.Errorf("%s: untrusting asks", kind)
		}
	}
}
