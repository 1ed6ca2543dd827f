// Command pecheck reads a Windows program's PE header and resources, as
// Windows would, and says whether it is what Localguard ships: the
// subsystem asked for (gui: no console window; console: the command line),
// a version resource whose ProductVersion and FileVersion (the strings and
// the fixed numbers) are -version, an icon and a manifest. .ci/installer
// runs it on the installed programs.
//
//	pecheck -subsystem gui -version 0.1.0 localguard.exe
package main

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Resource types (winuser.h).
const (
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24
)

func main() {
	subsystem := flag.String("subsystem", "", "gui or console")
	version := flag.String("version", "", "the version the resource must carry")
	flag.Parse()
	if flag.NArg() != 1 || *version == "" {
		fmt.Fprintln(os.Stderr, "usage: pecheck -subsystem gui|console -version VERSION FILE.exe")
		os.Exit(2)
	}
	if err := check(flag.Arg(0), *subsystem, *version); err != nil {
		fmt.Fprintf(os.Stderr, "pecheck: %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
}

func check(path, subsystem, version string) error {
	f, err := pe.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return errors.New("not a 64-bit (PE32+) program")
	}
	want := map[string]uint16{"gui": pe.IMAGE_SUBSYSTEM_WINDOWS_GUI, "console": pe.IMAGE_SUBSYSTEM_WINDOWS_CUI}[subsystem]
	if want == 0 {
		return fmt.Errorf("-subsystem %q: give gui or console", subsystem)
	}
	if oh.Subsystem != want {
		return fmt.Errorf("subsystem %d, want %d (%s)", oh.Subsystem, want, subsystem)
	}
	rs, err := openResources(f, oh)
	if err != nil {
		return err
	}
	for _, t := range []uint32{rtGroupIcon, rtManifest} {
		if _, err := rs.first(t); err != nil {
			return err
		}
	}
	data, err := rs.first(rtVersion)
	if err != nil {
		return err
	}
	strs, fixed, err := versionInfo(data)
	if err != nil {
		return fmt.Errorf("version resource: %w", err)
	}
	for _, k := range []string{"ProductVersion", "FileVersion"} {
		if strs[k] != version {
			return fmt.Errorf("version resource's %s is %q, want %q", k, strs[k], version)
		}
	}
	if w := numbers(version); fixed != w {
		return fmt.Errorf("version resource's fixed version is %v, want %v", fixed, w)
	}
	fmt.Printf("%s: %s subsystem, version resource %s (%s, %q), icon and manifest\n", path, subsystem, version, strs["ProductName"], strs["OriginalFilename"])
	return nil
}

// numbers is a version's first four numbers, as VS_FIXEDFILEINFO holds them.
func numbers(v string) [4]uint16 {
	var n [4]uint16
	for i, part := range strings.SplitN(strings.SplitN(v, "-", 2)[0], ".", 4) {
		x, _ := strconv.Atoi(part)
		n[i] = uint16(x)
	}
	return n
}

// resources is the resource section: its bytes and where it is loaded.
type resources struct {
	data []byte
	rva  uint32
}

func openResources(f *pe.File, oh *pe.OptionalHeader64) (*resources, error) {
	dir := oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE]
	for _, s := range f.Sections {
		if dir.VirtualAddress >= s.VirtualAddress && dir.VirtualAddress < s.VirtualAddress+s.VirtualSize {
			data, err := s.Data()
			if err != nil {
				return nil, err
			}
			off := dir.VirtualAddress - s.VirtualAddress
			return &resources{data: data[off:], rva: dir.VirtualAddress}, nil
		}
	}
	return nil, errors.New("no resource section")
}

// first is the data of the first resource of type typ (any name, any
// language).
func (r *resources) first(typ uint32) ([]byte, error) {
	off, err := r.entry(0, typ, true)
	if err != nil {
		return nil, fmt.Errorf("no resource of type %d: %w", typ, err)
	}
	for level := 0; level < 2; level++ { // name, then language
		if off, err = r.entry(off, 0, false); err != nil {
			return nil, err
		}
	}
	if int(off)+16 > len(r.data) {
		return nil, errors.New("resource data entry out of bounds")
	}
	rva := binary.LittleEndian.Uint32(r.data[off:])
	size := binary.LittleEndian.Uint32(r.data[off+4:])
	start := rva - r.rva
	if rva < r.rva || int(start)+int(size) > len(r.data) {
		return nil, errors.New("resource data out of bounds")
	}
	return r.data[start : start+size], nil
}

// entry is where the entry of the directory at off points: the one whose
// id is id when byID, else the first.
func (r *resources) entry(off, id uint32, byID bool) (uint32, error) {
	if int(off)+16 > len(r.data) {
		return 0, errors.New("resource directory out of bounds")
	}
	named := binary.LittleEndian.Uint16(r.data[off+12:])
	ids := binary.LittleEndian.Uint16(r.data[off+14:])
	for i := uint32(0); i < uint32(named)+uint32(ids); i++ {
		e := off + 16 + 8*i
		if int(e)+8 > len(r.data) {
			break
		}
		name := binary.LittleEndian.Uint32(r.data[e:])
		if byID && name != id {
			continue
		}
		return binary.LittleEndian.Uint32(r.data[e+4:]) &^ (1 << 31), nil
	}
	return 0, errors.New("not found")
}

// block is one node of a VS_VERSIONINFO tree.
type block struct {
	key      string
	value    []byte
	text     bool
	children []block
}

func align4(i int) int { return (i + 3) &^ 3 }

// readBlock reads the block at the start of b.
func readBlock(b []byte) (block, int, error) {
	if len(b) < 6 {
		return block{}, 0, errors.New("short block")
	}
	length := int(binary.LittleEndian.Uint16(b))
	valueLen := int(binary.LittleEndian.Uint16(b[2:]))
	blk := block{text: binary.LittleEndian.Uint16(b[4:]) == 1}
	if length < 6 || length > len(b) {
		return block{}, 0, errors.New("bad block length")
	}
	b = b[:length]
	i := 6
	for i+1 < length && (b[i] != 0 || b[i+1] != 0) {
		i += 2
	}
	blk.key = utf16String(b[6:i])
	i = align4(i + 2)
	if blk.text {
		valueLen *= 2
	}
	if i+valueLen > length {
		valueLen = max(0, length-i)
	}
	blk.value = b[i : i+valueLen]
	for i = align4(i + valueLen); i < length; {
		child, n, err := readBlock(b[i:])
		if err != nil {
			return block{}, 0, err
		}
		blk.children = append(blk.children, child)
		i = align4(i + n)
	}
	return blk, length, nil
}

func utf16String(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return strings.TrimRight(string(utf16.Decode(u)), "\x00")
}

// versionInfo reads the strings of every string table and the fixed
// product version of a VS_VERSIONINFO resource.
func versionInfo(data []byte) (map[string]string, [4]uint16, error) {
	var fixed [4]uint16
	root, _, err := readBlock(data)
	if err != nil {
		return nil, fixed, err
	}
	if root.key != "VS_VERSION_INFO" || len(root.value) < 52 || binary.LittleEndian.Uint32(root.value) != 0xFEEF04BD {
		return nil, fixed, errors.New("no VS_VERSION_INFO with a fixed file info")
	}
	ms, ls := binary.LittleEndian.Uint32(root.value[16:]), binary.LittleEndian.Uint32(root.value[20:])
	fixed = [4]uint16{uint16(ms >> 16), uint16(ms), uint16(ls >> 16), uint16(ls)}
	strs := map[string]string{}
	for _, c := range root.children {
		if c.key != "StringFileInfo" {
			continue
		}
		for _, table := range c.children {
			for _, s := range table.children {
				strs[s.key] = utf16String(s.value)
			}
		}
	}
	return strs, fixed, nil
}
