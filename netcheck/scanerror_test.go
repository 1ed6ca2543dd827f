package netcheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"localguard/netcheck/system"
)

// failingSystem cannot read the listener table.
type failingSystem struct{ fakeSystem }

func (*failingSystem) Listeners(context.Context) ([]system.Socket, error) {
	return nil, errors.New("not implemented yet")
}

// TestScanErrorIsError: when the listener table cannot be read, the verdict
// is error naming what failed, whatever the settings say: never safe, never
// at-risk on a view that may miss an exposed FlowMeter.
func TestScanErrorIsError(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "0.0.0.0"} {
		path := filepath.Join(t.TempDir(), ".env")
		if err := os.WriteFile(path, []byte("HOST="+host+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c := &Checker{EnvPath: path, scanner: Scanner{sys: &failingSystem{}}}
		v := c.Check(context.Background())
		if v.Status != StatusError || !strings.Contains(v.Message, "not implemented yet") {
			t.Errorf("HOST=%s: %s %q, want error naming the failure", host, v.Status, v.Message)
		}
	}
}
