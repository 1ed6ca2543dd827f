package proc

import (
	"fmt"
	"strings"
)

// Owner is the user a FlowMeter process runs as, when it is not
// Localguard's own: its ids, supplementary groups and home, which the
// restarted FlowMeter gets (and nothing of Localguard's).
type Owner struct {
	Name   string
	UID    uint32
	GID    uint32
	Groups []uint32
	Home   string
}

// environ is the process's environment with the owner's own HOME, USER
// and LOGNAME.
func (o *Owner) environ(env []string) []string {
	out := make([]string, 0, len(env)+3)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "HOME", "USER", "LOGNAME":
			continue
		}
		out = append(out, kv)
	}
	if o.Home != "" {
		out = append(out, "HOME="+o.Home)
	}
	if o.Name != "" {
		out = append(out, "USER="+o.Name, "LOGNAME="+o.Name)
	}
	return out
}

// otherUser is the refusal for a process of another user that Localguard
// may not start as that user.
func otherUser(name string) error {
	if name == "" {
		name = "another user"
	}
	return cannot(fmt.Sprintf("FlowMeter runs as %s, not as the user Localguard runs as, and Localguard never starts a program as another user than its owner; stop it and start it again as %s", name, name))
}
