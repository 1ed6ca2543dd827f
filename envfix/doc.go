// Package envfix reads FlowMeter's backend/.env exactly as FlowMeter reads it
// (python-dotenv's grammar, then pydantic-settings' rules) and changes it
// without losing a byte of anything else.
//
// The reading keeps every original byte: each statement knows the span of
// its key and value in the file, so a fix replaces only the bytes it must.
// A fix is planned first (a Plan is a value that can be shown as a diff),
// verified by reading the planned bytes back with the same engine, and only
// then written: atomically, after a backup, so that Undo can put the exact
// original bytes back.
//
// Package envfix never imports Fyne and never touches the network.
package envfix
