package netcheck

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWatchKeepsItsKnowledgeAcrossRequests: requests run on the watch's
// goroutine between two checks; the folders it watches and the interfaces
// it listed are still known after them, the .env is read afresh, and every
// request is answered with a verdict.
func TestWatchKeepsItsKnowledgeAcrossRequests(t *testing.T) {
	dir := t.TempDir()
	env := filepath.Join(dir, ".env")
	os.WriteFile(env, []byte("HOST=0.0.0.0\n"), 0o600)
	c := &Checker{EnvPath: env}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	verdicts := make(chan Verdict, 100)
	requests := make(chan func() time.Duration)
	done := make(chan struct{})
	go func() { c.WatchWith(ctx, time.Hour, func(v Verdict) { verdicts <- v }, requests); close(done) }()
	<-verdicts

	type seen struct {
		watched, ifacesValid bool
		ifaces               int
		host                 string // in the verdict that answers
	}
	look := func() seen {
		var s seen
		ran := make(chan struct{})
		requests <- func() time.Duration {
			s = seen{watched: c.cache.watched[dir], ifacesValid: c.cache.ifacesValid, ifaces: len(c.cache.ifaces)}
			close(ran)
			return 0
		}
		<-ran
		select {
		case v := <-verdicts:
			s.host = v.Env.Host
		case <-time.After(30 * time.Second):
			t.Fatal("a request was not answered with a verdict")
		}
		return s
	}
	first := look()
	os.WriteFile(env, []byte("HOST=127.0.0.1\n"), 0o600) // a request's write
	second := look()
	if !first.watched || !second.watched {
		t.Errorf("the .env's folder is not watched across requests: %+v %+v", first, second)
	}
	if c.cache.linkEvents && (!second.ifacesValid || second.ifaces == 0) {
		t.Errorf("the interfaces were forgotten across requests: %+v", second)
	}
	requests <- func() time.Duration { return -1 }
	<-done // a request returning a negative interval ends the watch
	// The .env changed between the requests: the verdict that answers the
	// second says so, without waiting for the file event.
	if first.host != "0.0.0.0" || second.host != "127.0.0.1" {
		t.Errorf("hosts %q then %q, want 0.0.0.0 then 127.0.0.1", first.host, second.host)
	}
}
