package main

import (
	"context"
	"fmt"

	"localguard/envfix"
	"localguard/netcheck"
)

// fixResult is what `fix --json` adds to the verdict.
type fixResult struct {
	Changed bool   `json:"changed"`
	Backup  string `json:"backup,omitempty"`
	Diff    string `json:"diff,omitempty"`
}

// applyFunc writes a plan and names the backup it kept.
type applyFunc = func(*envfix.Plan) (envfix.Backup, error)

// fix plans the change (HOST, a --finding's setting, or a --source file),
// shows it, asks unless --yes, writes it with a backup, and checks again.
func (c cli) fix(args []string) int {
	cmd := c.command("fix")
	if code, done := cmd.parse(c, args); done {
		return code
	}
	ctx := context.Background()
	if cmd.source != "" {
		cmd.env = cmd.source
	}
	apply, unlock, err := cmd.applier()
	if err != nil {
		fmt.Fprintf(c.err, "localguard fix: %v\n", err)
		return 1
	}
	defer unlock()
	plan, err := cmd.plan(ctx)
	if err != nil {
		fmt.Fprintf(c.err, "localguard fix: %v\n", err)
		return 1
	}
	res, ok := c.applyPlan(cmd, plan, apply)
	if !ok {
		return 1
	}
	v := cmd.checker.Check(ctx)
	c.reportFix(cmd, plan, res, v)
	if v.Status == netcheck.StatusError && cmd.source == "" {
		return 1
	}
	return 0
}

// applier is how fix writes its plan. Without a question to wait on
// (--yes), the lock is held from planning to writing: a second fix started
// at the same moment then plans on the file this one leaves, rather than
// be refused. unlock releases it.
func (cmd *command) applier() (apply applyFunc, unlock func(), err error) {
	if !cmd.yes {
		return envfix.Apply, func() {}, nil
	}
	lock, err := envfix.LockEnv(cmd.env)
	if err != nil {
		return nil, nil, err
	}
	return lock.Apply, lock.Unlock, nil
}

// plan is the change fix would make: to the --source file, to the
// --finding's setting, or to HOST.
func (cmd *command) plan(ctx context.Context) (*envfix.Plan, error) {
	if cmd.source != "" {
		return netcheck.PlanSourceFix(cmd.source)
	}
	return cmd.checker.Plan(ctx, cmd.finding)
}

// applyPlan shows the change, asks unless --yes, and writes it; ok is
// false when it was declined or failed (said on stderr). An empty plan
// writes nothing and says so.
func (c cli) applyPlan(cmd *command, plan *envfix.Plan, apply applyFunc) (res *fixResult, ok bool) {
	res = &fixResult{Diff: plan.Diff()}
	if plan.Empty() {
		c.sayNothingToChange(cmd, plan)
		return res, true
	}
	if !cmd.json {
		fmt.Fprint(c.out, res.Diff)
	}
	if !cmd.yes && !c.confirm("Apply this change? [y/N] ") {
		fmt.Fprintf(c.err, "localguard fix: not applied; %s is unchanged.\n", cmd.env)
		return nil, false
	}
	backup, err := apply(plan)
	if err != nil {
		fmt.Fprintf(c.err, "localguard fix: %v\n", err)
		return nil, false
	}
	res.Changed = true
	if plan.File.Exists {
		res.Backup = backup.Path
	}
	return res, true
}

// sayNothingToChange tells, in text, that the file is already safe.
func (c cli) sayNothingToChange(cmd *command, plan *envfix.Plan) {
	switch {
	case cmd.json:
	case cmd.source != "":
		fmt.Fprintf(c.out, "Nothing to change: %s already keeps FlowMeter on this computer.\n", cmd.env)
	default:
		fmt.Fprintf(c.out, "Nothing to change: %s already sets %s=%s.\n", cmd.env, plan.Key, plan.Value)
	}
}

// reportFix prints what fix did: the verdict after it with --json, else
// a sentence on the change made, if any.
func (c cli) reportFix(cmd *command, plan *envfix.Plan, res *fixResult, v netcheck.Verdict) {
	switch {
	case cmd.json:
		c.print(v, true, res)
	case !res.Changed:
	case cmd.source != "":
		c.saySourceFixed(cmd.env, plan, res)
		if v.Status == netcheck.StatusExposed {
			// Until what the file starts is recreated or restarted.
			fmt.Fprint(c.out, v.Text(isTerminal(c.out)))
		}
	default:
		c.sayEnvFixed(cmd.env, plan, res, v)
	}
}

// saySourceFixed tells of a --source fix, its backup and how to undo it.
func (c cli) saySourceFixed(path string, plan *envfix.Plan, res *fixResult) {
	fmt.Fprintf(c.out, "Fixed: %s (from line %d).", path, plan.Line)
	c.sayBackup(res)
	fmt.Fprintf(c.out, "\n%s To put it back: localguard undo --source %s\n", netcheck.SourceFixNext(path), path)
}

// sayEnvFixed tells of a .env fix, its backup and how to undo it, and
// shows the verdict when FlowMeter is still exposed (it must restart).
func (c cli) sayEnvFixed(env string, plan *envfix.Plan, res *fixResult, v netcheck.Verdict) {
	fmt.Fprintf(c.out, "Fixed: %s now sets %s=%s (line %d).", env, plan.Key, plan.Value, plan.Line)
	c.sayBackup(res)
	fmt.Fprintf(c.out, "\nTo put it back%s: localguard undo --env %s\n", netcheck.ShellNote, netcheck.ShellQuote(env))
	if v.Status == netcheck.StatusExposed {
		fmt.Fprint(c.out, v.Text(isTerminal(c.out)))
	}
}

// sayBackup names where the original is kept, when there was one.
func (c cli) sayBackup(res *fixResult) {
	if res.Backup != "" {
		fmt.Fprintf(c.out, " The original is kept in %s.", res.Backup)
	}
}
