//go:build !linux

package netcheck

import (
	"strings"

	"github.com/shirou/gopsutil/v4/process"
)

// identityOf is a process's start time (ms since the epoch, from the
// kernel's own record) and command line.
func identityOf(pid int32) (start int64, cmdline string, err error) {
	p, err := process.NewProcess(pid)
	if err != nil {
		return 0, "", err
	}
	if start, err = p.CreateTime(); err != nil {
		return 0, "", err
	}
	args, err := p.CmdlineSlice()
	if err != nil {
		return 0, "", err
	}
	return start, strings.Join(args, " "), nil
}
