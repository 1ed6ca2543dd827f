//go:build !nogui && (ci || !(linux || freebsd || openbsd || netbsd))

package main

// noDisplay is "": Windows and macOS always have their desktop, and the
// ci tag's software driver needs none.
func noDisplay() string { return "" }
