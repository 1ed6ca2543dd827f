//go:build !linux

package proc

import (
	"fmt"
	"strings"

	"github.com/shirou/gopsutil/v4/process"
)

// identityOf is a process's start time (ms since the epoch, from the
// kernel's own record; on Windows its creation time), command line and
// program (the image's path).
func identityOf(pid int32) (identity, error) {
	p, err := process.NewProcess(pid)
	if err != nil {
		return identity{}, err
	}
	start, err := p.CreateTime()
	if err != nil {
		return identity{}, err
	}
	args, err := p.CmdlineSlice()
	if err != nil {
		return identity{}, err
	}
	exe, err := p.Exe()
	if err != nil {
		return identity{}, fmt.Errorf("%w: %v", errProgramUnread, err)
	}
	return identity{start: start, cmdline: strings.Join(args, " "), program: exe}, nil
}
