package assets

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/test"
)

var update = flag.Bool("update", false, "draw the PNG shields and Icon.png again from the SVGs")

// bitmaps are the PNG files drawn from the SVG shields, and their sizes.
var bitmaps = []struct {
	svg  *fyne.StaticResource
	png  *fyne.StaticResource
	file string
	size int
}{
	{ShieldSafe, ShieldSafeBitmap, "shield-safe.png", BitmapSize},
	{ShieldAtRisk, ShieldAtRiskBitmap, "shield-at-risk.png", BitmapSize},
	{ShieldExposed, ShieldExposedBitmap, "shield-exposed.png", BitmapSize},
	{ShieldUnknown, ShieldUnknownBitmap, "shield-unknown.png", BitmapSize},
	// The application's icon (FyneApp.toml) is the safe shield.
	{ShieldSafe, nil, "Icon.png", 256},
}

// draw renders an SVG resource to a size×size image with Fyne's own SVG
// renderer.
func draw(res fyne.Resource, size int) image.Image {
	c := software.NewTransparentCanvas()
	img := canvas.NewImageFromResource(res)
	img.FillMode = canvas.ImageFillContain
	c.SetPadded(false)
	c.SetContent(img)
	c.Resize(fyne.NewSize(float32(size), float32(size)))
	return c.Capture()
}

// TestBitmaps checks that each PNG is its SVG drawn again, within a
// rounding step per channel; with -update it writes them.
func TestBitmaps(t *testing.T) {
	test.NewTempApp(t)
	for _, b := range bitmaps {
		want := draw(b.svg, b.size)
		if *update {
			var buf bytes.Buffer
			if err := png.Encode(&buf, want); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(b.file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		content, err := os.ReadFile(b.file)
		if err != nil {
			t.Fatal(err)
		}
		if b.png != nil && !bytes.Equal(b.png.Content(), content) {
			t.Errorf("%s: the embedded bitmap is not the file's", b.file)
		}
		got, err := png.Decode(bytes.NewReader(content))
		if err != nil {
			t.Fatalf("%s: %v", b.file, err)
		}
		if got.Bounds().Dx() != b.size || got.Bounds().Dy() != b.size {
			t.Fatalf("%s is %v, want %d×%d: run go generate ./assets", b.file, got.Bounds(), b.size, b.size)
		}
		if d := maxDiff(got, want); d > 2 {
			t.Errorf("%s differs from its SVG by %d in a channel: run go generate ./assets", b.file, d)
		}
	}
}

// maxDiff is the largest difference of one 8-bit channel between two
// images of the same bounds.
func maxDiff(a, b image.Image) int {
	worst := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x-r.Min.X+b.Bounds().Min.X, y-r.Min.Y+b.Bounds().Min.Y).RGBA()
			for _, d := range []int{int(r1>>8) - int(r2>>8), int(g1>>8) - int(g2>>8), int(b1>>8) - int(b2>>8), int(a1>>8) - int(a2>>8)} {
				if d < 0 {
					d = -d
				}
				worst = max(worst, d)
			}
		}
	}
	return worst
}
