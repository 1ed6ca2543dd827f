//go:build unix

package proc

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"

	"github.com/shirou/gopsutil/v4/process"
)

// ownerOf is the user p runs as, nil when that is Localguard's own user.
// Another user's process is refused unless Localguard runs as root, which
// may start it as that user (and does, never as root). A process whose
// real and effective ids differ (setuid) is refused: which of them to
// start it as cannot be told.
func ownerOf(p *process.Process) (*Owner, error) {
	uids, err1 := p.Uids()
	gids, err2 := p.Gids()
	if err1 != nil || err2 != nil || len(uids) < 2 || len(gids) < 2 {
		return nil, cannot("Localguard may not read which user FlowMeter runs as")
	}
	if int(uids[0]) == os.Getuid() && int(uids[1]) == os.Geteuid() {
		return nil, nil
	}
	name := strconv.FormatUint(uint64(uids[0]), 10)
	u, lookupErr := user.LookupId(name)
	if lookupErr == nil {
		name = u.Username
	}
	if os.Geteuid() != 0 {
		return nil, otherUser(name)
	}
	if uids[0] != uids[1] || gids[0] != gids[1] {
		return nil, cannot(fmt.Sprintf("FlowMeter runs with user ids %d and %d (setuid): Localguard cannot tell which user to start it as; start it again yourself", uids[0], uids[1]))
	}
	groups, err := p.Groups()
	if err != nil {
		return nil, cannot("Localguard may not read the groups FlowMeter runs with")
	}
	o := &Owner{Name: name, UID: uids[0], GID: gids[0], Groups: groups}
	if lookupErr == nil {
		o.Home = u.HomeDir
	}
	return o, nil
}

// asOwner makes cmd run as owner (nil: as Localguard's own user): its
// user and group ids and its supplementary groups, set by the kernel
// before the program starts, so no line of it (nor a sitecustomize it
// loads) runs as Localguard's user.
func asOwner(cmd *exec.Cmd, owner *Owner) error {
	if owner == nil {
		return nil
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: owner.UID, Gid: owner.GID, Groups: owner.Groups}
	return nil
}
