package ui

import (
	"bytes"
	"image"
	_ "image/png"

	"fyne.io/fyne/v2"
	"github.com/fyne-io/image/ico"
)

// trayIconBytes is a shield as Windows' tray takes it: an ICO (the PNG
// converted as Fyne's own tray does). A bitmap that cannot be converted
// gives no icon rather than a crash; the test of the bundled shields
// keeps that from happening.
func trayIconBytes(r fyne.Resource) []byte {
	img, _, err := image.Decode(bytes.NewReader(r.Content()))
	if err != nil {
		return nil
	}
	var buf bytes.Buffer
	if ico.Encode(&buf, img) != nil {
		return nil
	}
	return buf.Bytes()
}
