"""Watches a corner of the X11 screen for a colour and prints, as Unix
nanoseconds, when it first shows. Usage: waitcolor.py RRGGBB SIZE LIMIT_S.

It prints "ready" once connected, then polls the top-left SIZE×SIZE square
of the root window every 5 ms with XGetImage, a few hundred microseconds
each, so the time is what the screen showed, not how long a screenshot
tool takes to start (ImageMagick's import needs about 0.1 s). It exits 1,
printing nothing more, when LIMIT_S pass first.
Only the standard library and libX11 (ctypes)."""
import ctypes
import ctypes.util
import sys
import time


class XImage(ctypes.Structure):
    # The leading fields of Xlib's XImage, up to the ones read here.
    _fields_ = [
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("xoffset", ctypes.c_int),
        ("format", ctypes.c_int),
        ("data", ctypes.c_void_p),
        ("byte_order", ctypes.c_int),
        ("bitmap_unit", ctypes.c_int),
        ("bitmap_bit_order", ctypes.c_int),
        ("bitmap_pad", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("bytes_per_line", ctypes.c_int),
        ("bits_per_pixel", ctypes.c_int),
    ]


Z_PIXMAP = 2
ALL_PLANES = ctypes.c_ulong(-1 & 0xFFFFFFFFFFFFFFFF)


def main():
    rgb = bytes.fromhex(sys.argv[1])
    size, limit = int(sys.argv[2]), float(sys.argv[3])
    x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultRootWindow.restype = ctypes.c_ulong
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XGetImage.restype = ctypes.POINTER(XImage)
    x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                            ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    x.XDestroyImage.argtypes = [ctypes.POINTER(XImage)]
    display = x.XOpenDisplay(None)
    if not display:
        sys.exit("waitcolor: cannot open the display")
    root = x.XDefaultRootWindow(display)
    print("ready", flush=True)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        img = x.XGetImage(display, root, 0, 0, size, size, ALL_PLANES, Z_PIXMAP)
        at = time.time_ns()
        if img:
            im = img.contents
            if im.bits_per_pixel != 32:
                sys.exit("waitcolor: only 32-bit pixels are read, the screen has %d" % im.bits_per_pixel)
            data = ctypes.string_at(im.data, im.bytes_per_line * im.height)
            x.XDestroyImage(img)
            # Pixels are B, G, R, unused on a little-endian 24-bit screen.
            want = rgb[::-1] if im.byte_order == 0 else b"\x00" + rgb
            i = data.find(want)
            while i >= 0:
                if i % 4 == 0:  # a whole pixel, not bytes of two
                    print(at, flush=True)
                    return
                i = data.find(want, i + 1)
        time.sleep(0.005)
    sys.exit(1)


main()
