package main

import (
	"fmt"

	"localguard/envfix"
)

// undo puts the .env (or a --source file) back as it was before the last
// fix, or with --forget removes the backups.
func (c cli) undo(args []string) int {
	cmd := c.command("undo")
	if code, done := cmd.parse(c, args); done {
		return code
	}
	if cmd.source != "" {
		cmd.env = cmd.source
	}
	if cmd.forget {
		n, err := envfix.ForgetBackups(cmd.env)
		if err != nil {
			fmt.Fprintf(c.err, "localguard undo: %v\n", err)
			return 1
		}
		fmt.Fprintf(c.out, "Removed the backups of %d fix(es) of %s; the file itself is unchanged.\n", n, cmd.env)
		return 0
	}
	if err := envfix.Undo(cmd.env); err != nil {
		fmt.Fprintf(c.err, "localguard undo: %v\n", err)
		return 1
	}
	fmt.Fprintf(c.out, "Put %s back exactly as it was before the last fix.", cmd.env)
	if n := envfix.UndoSteps(cmd.env); n > 0 {
		fmt.Fprintf(c.out, " %d earlier fix(es) can be undone too, one at a time: run localguard undo again.", n)
	}
	fmt.Fprintln(c.out)
	return 0
}
