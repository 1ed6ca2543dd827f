package proc

import (
	"os/exec"
	"os/user"
	"strings"

	"github.com/shirou/gopsutil/v4/process"
)

// ownerOf is nil when p runs as the user Localguard runs as; another
// user's process is refused: Localguard starts nothing as another user.
func ownerOf(p *process.Process) (*Owner, error) {
	name, err := p.Username()
	if err != nil {
		return nil, cannot("Localguard may not read which user FlowMeter runs as")
	}
	me, err := user.Current()
	if err != nil {
		return nil, cannot("Localguard cannot tell which user it runs as")
	}
	if !strings.EqualFold(name, me.Username) {
		return nil, otherUser(name)
	}
	return nil, nil
}

// asOwner never runs: ownerOf gives no owner on Windows.
func asOwner(cmd *exec.Cmd, owner *Owner) error {
	if owner != nil {
		return otherUser(owner.Name)
	}
	return nil
}
