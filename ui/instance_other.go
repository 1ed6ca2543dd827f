//go:build !linux && !freebsd && !openbsd && !netbsd && !windows

package ui

// claimInstance, where Localguard has no way to find a running one
// (macOS, where the system itself keeps an app to one instance when
// started from Finder), lets every start run.
func claimInstance(env string, open func(env string)) (release func(), err error) {
	return func() {}, nil
}
