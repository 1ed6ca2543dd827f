package netcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Controls that must stay safe (issue 18): every socket a neighbour can
// reach is asked, and none of these is FlowMeter or a path to it. The
// greeting service and the raw-printing port must receive no byte; the
// silent service one connection however often a kept Checker looks.

// otherFastAPI is another project's FastAPI app, laid out as FastAPI's
// tutorial lays out every project: backend/app/main.py with app.
const otherFastAPI = `from fastapi import FastAPI
app = FastAPI()

@app.get("/")
def root():
    return {"hello": "world"}
`

func TestServedControlsStaySafe(t *testing.T) {
	needUvicorn(t)
	socat := needProgram(t, "socat", "socat")
	l := newLAN(t)
	env := envOf(checkout(t, "HOST=127.0.0.1\n"))

	other := filepath.Join(t.TempDir(), "inventory", "backend")
	os.MkdirAll(filepath.Join(other, "app"), 0o755)
	os.WriteFile(filepath.Join(other, "app", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(other, "app", "main.py"), []byte(otherFastAPI), 0o644)
	api := freePort(t)
	start(t, other, python, childEnv(), python, "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", fmt.Sprint(api)).waitListening(t, api, any4)

	web := freePort(t)
	start(t, t.TempDir(), python, childEnv(), python, "-m", "http.server", "--bind", "0.0.0.0", fmt.Sprint(web)).waitListening(t, web, any4)
	site := freePort(t)
	start(t, t.TempDir(), python, childEnv(), python, "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(site)).waitListening(t, site, lo4)
	rp := freePort(t)
	start(t, "/", socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", site)).waitListening(t, rp, any4)

	silent := listenCounting(t, "0.0.0.0:0", "")
	greeter := listenCounting(t, "0.0.0.0:0", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
	printer := listenCounting(t, "0.0.0.0:9100", "")

	for _, p := range []int{api, web, rp, silent.port(), greeter.port(), printer.port()} {
		if !l.connectFromPeer(t, l.v4, p) {
			t.Fatalf("the neighbour cannot connect to port %d: the control proves nothing", p)
		}
		if p != printer.port() && l.reads(t, l.v4, p) {
			t.Fatalf("the neighbour reads FlowMeter on port %d: not a control", p)
		}
	}
	// The neighbour's own connects above: counted from here on.
	silentBefore, greeterBefore, printerBefore, printed := silent.conns.Load(), greeter.bytes.Load(), printer.conns.Load(), printer.bytes.Load()

	kept := Open(context.Background(), env, nil, t.TempDir(), childEnv())
	for i := range 3 {
		wantSafe(t, fmt.Sprintf("kept Checker, poll %d", i+1), kept.Check(context.Background()))
	}
	if n := silent.conns.Load() - silentBefore; n != 1 {
		t.Errorf("the silent service was connected to %d times by three polls of one Checker, want once", n)
	}
	wantSafe(t, "a fresh Checker", judgeAsUser(t, env))
	if n := greeter.bytes.Load() - greeterBefore; n != 0 {
		t.Errorf("the greeting service received %d bytes, want none", n)
	}
	if n, b := printer.conns.Load()-printerBefore, printer.bytes.Load()-printed; n != 0 || b != 0 {
		t.Errorf("the raw-printing port 9100 was connected to %d times and received %d bytes, want none", n, b)
	}
}

// wantSafe wants v safe, with no listener and no relay.
func wantSafe(t *testing.T, when string, v Verdict) {
	t.Helper()
	if v.Status != StatusSafe || len(v.Listeners) > 0 || len(v.Relays) > 0 {
		t.Errorf("%s: %s: %s\nlisteners %s\nrelays %s", when, v.Status, v.Message, listeners(v), relaysOf(v))
		return
	}
	t.Logf("%s: %s: %s", when, v.Status, v.Message)
}
