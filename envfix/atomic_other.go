//go:build !windows

package envfix

// renameBusy is false: elsewhere than on Windows a rename does not fail
// because another program has the file open.
func renameBusy(error) bool { return false }

// readBusy is false: elsewhere than on Windows a read does not fail
// because another program has the file open.
func readBusy(error) bool { return false }
