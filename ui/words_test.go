package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"localguard/netcheck"
)

// tunnelVerdict is FlowMeter local, carried beyond this computer by an
// ssh tunnel; the advice is netcheck's clause.
func tunnelVerdict() netcheck.Verdict {
	v := verdicts["safe"]
	v.Status = netcheck.StatusExposed
	v.Relays = []netcheck.Relay{{PID: 4712, Process: "ssh", Program: "ssh", Kind: netcheck.RelayTunnel, Port: 9000, TargetPort: 8000,
		Remote: "203.0.113.7:22", ExposedOn: []netcheck.Exposure{}, Advice: "stop the ssh tunnel, or forward to 127.0.0.1 on the far end only"}}
	v.Advice = v.Relays[0].Advice
	return v
}

// twoFlowMeters are two FlowMeters of two checkouts, both on the Wi-Fi,
// one on the containers' bridge too.
func twoFlowMeters() netcheck.Verdict {
	v := verdicts["exposed"]
	a := exposedListener
	a.ExposedOn = []netcheck.Exposure{
		{Interface: "wlan0", Address: "192.168.1.23", Kind: "lan", URL: "http://192.168.1.23:8000", Network: "Wi-Fi"},
		{Interface: "docker0", Address: "172.17.0.1", Kind: netcheck.KindVirtual, URL: "http://172.17.0.1:8000", Network: "containers on this computer"},
	}
	b := exposedListener
	b.Port, b.PID, b.Cwd = 8001, 4343, "/home/ana/FlowMeter-old/backend"
	b.EnvPath = "/home/ana/FlowMeter-old/backend/.env"
	b.Why = "HOST=0.0.0.0 on line 2 of /home/ana/FlowMeter-old/backend/.env"
	b.ExposedOn = []netcheck.Exposure{{Interface: "wlan0", Address: "192.168.1.23", Kind: "lan", URL: "http://192.168.1.23:8001", Network: "Wi-Fi"}}
	v.Listeners = []netcheck.Listener{a, b}
	v.Findings = nil
	return v
}

// wordStates are the states whose words are golden: every verdict of the
// render tests, and the ones the issue names.
func wordStates() map[string]func(u *window) {
	states := map[string]func(u *window){
		"tunnel":         func(u *window) { u.render(tunnelVerdict()) },
		"two-flowmeters": func(u *window) { u.render(twoFlowMeters()) },
		"after-undo-notice": func(u *window) {
			u.render(verdicts["after-undo"])
			u.say(undoneWords(0), false)
		},
		"no-install": func(u *window) { u.showNoInstall(netcheck.ErrNoInstall) },
		"public":     func(u *window) { u.render(publicVerdict()) },
		"relay":      func(u *window) { u.render(relayVerdict()) },
	}
	for name, v := range verdicts {
		states[name] = func(u *window) { u.render(v) }
	}
	return states
}

// TestWords renders each state and compares every word the window shows
// with its golden (testdata/words/*.txt; UPDATE_WORDS=1 writes them), and
// checks them: no empty name, every sentence capitalised and ended.
func TestWords(t *testing.T) {
	for name, show := range wordStates() {
		t.Run(name, func(t *testing.T) {
			u := newStill(t)
			show(u)
			got := shownWords(u.win.Content())
			for _, s := range got {
				checkWords(t, s)
			}
			compareGolden(t, filepath.Join("testdata", "words", name+".txt"), strings.Join(texts3(got), "\n")+"\n")
		})
	}
}

func texts3(s []shown) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x.text
	}
	return out
}

// shown is a label's text and whether it is a heading (bold) or a value
// to copy (a path, a URL).
type shown struct {
	text           string
	heading, value bool
}

// factRows are the rows of Why whose values are facts to copy, not
// sentences: the command line, the address.
var factRows = map[string]bool{"Running": true, "Listens on": true}

// shownWords lists the texts of every visible label and button.
func shownWords(o fyne.CanvasObject) []shown {
	var out []shown
	walk(o, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			fact := len(out) > 0 && out[len(out)-1].heading && factRows[out[len(out)-1].text]
			out = append(out, shown{text: w.Text, heading: w.TextStyle.Bold, value: fact || w.Selectable && !strings.Contains(w.Text, " ")})
		case *pathLabel:
			out = append(out, shown{text: w.Text, value: true})
		case *widget.Button:
			out = append(out, shown{text: "[" + w.Text + "]", heading: true})
		case *widget.Check:
			out = append(out, shown{text: "[ ] " + w.Text, heading: true})
		}
	})
	return out
}

// emptyName are what a name left empty leaves in a sentence.
var emptyName = []string{"  ", " ()", "()", " ,", " .", " :", "on  ", "( ", " )"}

// checkWords fails on an empty name, and on a sentence (a label of four
// words or more that is neither a heading nor a value) without a capital
// or an end.
func checkWords(t *testing.T, s shown) {
	t.Helper()
	for _, bad := range emptyName {
		if strings.Contains(s.text, bad) {
			t.Errorf("%q: an empty name (%q)", s.text, bad)
		}
	}
	if s.heading || s.value || len(strings.Fields(s.text)) < 4 || strings.HasPrefix(s.text, "Last checked") || strings.HasPrefix(s.text, "Last looked") {
		return
	}
	first, _ := utf8.DecodeRuneInString(s.text)
	last, _ := utf8.DecodeLastRuneInString(s.text)
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) && first != '/' && first != '\u201c' {
		t.Errorf("%q: a sentence without a capital", s.text)
	}
	if !strings.ContainsRune(".?!:…", last) {
		t.Errorf("%q: a sentence without an end", s.text)
	}
}

// compareGolden compares got with the file at path; UPDATE_WORDS=1
// writes it instead.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if os.Getenv("UPDATE_WORDS") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (UPDATE_WORDS=1 writes it)", err)
	}
	if string(want) != got {
		t.Errorf("the words differ from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
