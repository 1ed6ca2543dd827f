//go:build !linux && !windows

package system

import "context"

// watchInterfaces has no change notification here: the interfaces are
// listed on every check instead.
func watchInterfaces(context.Context) <-chan struct{} { return nil }
