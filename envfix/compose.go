package envfix

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Fixing a docker-compose.yaml / compose.yaml: every port a service
// publishes on all addresses is published on loopback instead
// ("8000:8000" becomes "127.0.0.1:8000:8000"; the long syntax gets
// host_ip: 127.0.0.1). Only those scalars change; every other byte
// (comments, quoting, order, anchors) stays. The result is read back with
// a real YAML parser and compared with the original before it is planned,
// and written through Apply, with its backup and undo, as the .env is.

// ErrNoComposeFix means the compose file publishes nothing beyond loopback,
// or nothing Localguard can change safely.
var ErrNoComposeFix = errors.New("nothing in the compose file to publish on loopback")

// ComposeOptions says how a compose file is read and fixed.
type ComposeOptions struct {
	// Lookup is a variable as Compose interpolates it (the environment,
	// then the project's .env); nil: none is set.
	Lookup func(string) (string, bool)
	// HostIP is true when the installed Compose accepts host_ip in a
	// long-syntax port (Compose v2). Else a long-syntax entry without
	// host_ip is rewritten in the short form "127.0.0.1:8000:8000", which
	// every Compose accepts (docker-compose 1.29 refuses host_ip), or
	// refused with the change to make by hand when it says more than the
	// short form can.
	HostIP bool
	// judge: an entry that cannot be fixed is listed as published
	// beyond loopback (with why), not an error: the verdict must hear of it.
	judge bool
}

func (o ComposeOptions) lookup(name string) (string, bool) {
	if o.Lookup == nil {
		return "", false
	}
	return o.Lookup(name)
}

// composeEdit is one change to the compose file's bytes.
type composeEdit struct {
	Edit
	service string
	before  string // the published port as written, for people
	// What the edit means to the parsed document: node's value becomes
	// value, or (node a mapping) a host_ip key with value is added.
	node   *yaml.Node
	value  string
	insert bool
	// short: the mapping node becomes the scalar value (long syntax
	// rewritten in short form).
	short bool
}

// PlanCompose plans publishing every port of the compose file at path on
// loopback. It returns ErrNoComposeFix when every port is already on
// loopback, and refuses (changing nothing) when the file is not YAML, or
// an edit would change anything else in it.
func PlanCompose(path string) (*Plan, error) { return PlanComposeWith(path, ComposeOptions{}) }

// PlanComposeWith is PlanCompose with the variables and the Compose of o.
func PlanComposeWith(path string, o ComposeOptions) (*Plan, error) {
	f := &File{Path: path, Target: path}
	if abs, err := filepath.Abs(path); err == nil {
		f.Target = abs
	}
	content, err := f.read()
	if err != nil {
		return nil, err
	}
	if !f.Exists {
		return nil, fmt.Errorf("%s does not exist: point at FlowMeter's docker-compose.yaml", path)
	}
	edits, doc, err := composeEdits(content, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if host := hostNetworked(doc, o); len(host) > 0 {
		return nil, fmt.Errorf("%s runs %s on the host's own network (network_mode: host), where what it listens on is this computer's, on every address, and no published port can be moved: remove network_mode: host and publish the port as \"127.0.0.1:8000:8000\" instead, by hand: %w", path, strings.Join(host, ", "), ErrNoSafeEdit)
	}
	p := &Plan{File: f, Key: "ports", Value: LocalHost, Before: content, After: content}
	if len(edits) == 0 {
		return p, fmt.Errorf("%s publishes every port on this computer only already: %w", path, ErrNoComposeFix)
	}
	after := applyEdits(content, edits)
	if err := checkCompose(doc, edits, after, o); err != nil {
		return nil, fmt.Errorf("%s cannot be changed without changing more than its published ports (%v): edit it by hand: %w", path, err, ErrNoSafeEdit)
	}
	first, last := edits[0], edits[len(edits)-1]
	tail := len(content) - last.Span.End
	p.After = after
	p.Edit = Edit{Span: Span{first.Span.Start, last.Span.End}, Text: string(after[first.Span.Start : len(after)-tail])}
	p.Line = 1 + bytes.Count(after[:first.Span.Start], []byte("\n"))
	return p, nil
}

// applyEdits applies edits sorted by position, none overlapping.
func applyEdits(b []byte, edits []composeEdit) []byte {
	var out []byte
	at := 0
	for _, e := range edits {
		out = append(out, b[at:e.Span.Start]...)
		out = append(out, e.Text...)
		at = e.Span.End
	}
	return append(out, b[at:]...)
}

// composeEdits finds the ports to change and the edit for each, in file
// order.
func composeEdits(content []byte, o ComposeOptions) ([]composeEdit, *yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(content, &doc); err != nil {
		return nil, nil, fmt.Errorf("it is not valid YAML (%v)", err)
	}
	lines := lineStarts(content)
	var edits []composeEdit
	seen := map[*yaml.Node]bool{}
	for _, svc := range services(&doc) {
		ports := mapValue(svc.node, "ports")
		if ports == nil {
			continue
		}
		ports = deref(ports)
		if ports.Kind != yaml.SequenceNode || seen[ports] {
			continue
		}
		seen[ports] = true // an anchored list used by several services
		es, err := portListEdits(content, lines, svc.name, ports, o)
		if err != nil {
			return nil, nil, err
		}
		edits = append(edits, es...)
	}
	return sortedOnce(edits), &doc, nil
}

// portListEdits are the edits of one service's list of ports.
func portListEdits(content []byte, lines []int, name string, ports *yaml.Node, o ComposeOptions) ([]composeEdit, error) {
	var edits []composeEdit
	for _, item := range ports.Content {
		item = deref(item)
		e, ok, err := portEdit(content, lines, item, o)
		if err != nil && o.judge {
			e, ok, err = composeEdit{Edit: Edit{Span: Span{-1, -1}}, before: fmt.Sprintf("%s (%v)", describePort(item), err)}, true, nil
		}
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", name, err)
		}
		if ok {
			e.service = name
			edits = append(edits, e)
		}
	}
	return edits, nil
}

// sortedOnce sorts edits by position, each once (an aliased entry is one
// node); entries listed without a position keep their order.
func sortedOnce(edits []composeEdit) []composeEdit {
	var out []composeEdit
	for _, e := range edits {
		i := len(out)
		for i > 0 && out[i-1].Span.Start > e.Span.Start {
			i--
		}
		if i > 0 && out[i-1].Span == e.Span && e.Span.Start >= 0 {
			continue
		}
		out = append(out[:i], append([]composeEdit{e}, out[i:]...)...)
	}
	return out
}

// hostNetworked lists the services that run on the host's own network
// (network_mode: host, as Compose reads it).
func hostNetworked(doc *yaml.Node, o ComposeOptions) []string {
	var out []string
	for _, svc := range services(doc) {
		n := deref(mapValue(svc.node, "network_mode"))
		if n == nil || n.Kind != yaml.ScalarNode {
			continue
		}
		if v, err := Interpolate(n.Value, o.lookup); err == nil && v == "host" {
			out = append(out, svc.name)
		}
	}
	return out
}

type service struct {
	name string
	node *yaml.Node
}

// services lists the services of a compose document.
func services(doc *yaml.Node) []service {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	svcs := mapValue(root, "services")
	if svcs == nil {
		return nil
	}
	svcs = deref(svcs)
	if svcs.Kind != yaml.MappingNode {
		return nil
	}
	var out []service
	for i := 0; i+1 < len(svcs.Content); i += 2 {
		if n := deref(svcs.Content[i+1]); n.Kind == yaml.MappingNode {
			out = append(out, service{name: svcs.Content[i].Value, node: n})
		}
	}
	return out
}

// mapValue is the value of key in a mapping, following merge keys (<<).
func mapValue(m *yaml.Node, key string) *yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i].Tag != "!!merge" {
			return m.Content[i+1]
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag == "!!merge" || m.Content[i].Value == "<<" {
			v := deref(m.Content[i+1])
			bases := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				bases = v.Content
			}
			for _, b := range bases {
				if n := mapValue(b, key); n != nil {
					return n
				}
			}
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// portEdit is the edit that publishes one port entry on loopback; false
// when it is on loopback already. Entries are judged as Compose reads
// them (variables interpolated) and changed as written (a variable in the
// published port stays).
func portEdit(content []byte, lines []int, item *yaml.Node, o ComposeOptions) (composeEdit, bool, error) {
	switch item.Kind {
	case yaml.ScalarNode:
		return shortEdit(content, lines, item, o)
	case yaml.MappingNode:
		if ip := mapValue(item, "host_ip"); ip != nil {
			return hostIPEdit(content, lines, deref(ip), o)
		}
		if len(item.Content) == 0 {
			return composeEdit{}, false, nil
		}
		if !o.HostIP {
			return shortFormEdit(content, lines, item, o)
		}
		// No host_ip: one is added before the first key, at its indent.
		first := item.Content[0]
		at, err := offsetOf(content, lines, first.Line, first.Column)
		if err != nil {
			return composeEdit{}, false, err
		}
		text := "host_ip: " + LocalHost + ", "
		if item.Style&yaml.FlowStyle == 0 {
			text = "host_ip: " + LocalHost + lineEndingAt(content) + strings.Repeat(" ", columnBytes(content, lines, first.Line, first.Column))
		}
		return composeEdit{Edit: Edit{Span: Span{at, at}, Text: text}, before: longWords(item), node: item, value: LocalHost, insert: true}, true, nil
	}
	return composeEdit{}, false, nil
}

// shortEdit is the edit of a short-syntax entry ("8000:8000").
func shortEdit(content []byte, lines []int, item *yaml.Node, o ComposeOptions) (composeEdit, bool, error) {
	val, err := Interpolate(item.Value, o.lookup)
	if err != nil {
		return composeEdit{}, false, fmt.Errorf("the published port %q: %v", item.Value, err)
	}
	ip, beyond, err := publishedOn(val)
	if err != nil || !beyond {
		return composeEdit{}, false, err
	}
	v, err := onLoopback(item.Value, strings.Contains(ip, ":"))
	if err != nil {
		return composeEdit{}, false, err
	}
	if n, m := len(splitPort(cutProto(item.Value))), len(splitPort(cutProto(val))); n != m {
		return composeEdit{}, false, fmt.Errorf("the published port %q (%q once its variables are read) comes from a variable: write it as %q by hand", item.Value, val, mustLoopback(val))
	}
	span, raw, err := scalarSpan(content, lines, item)
	if err != nil {
		return composeEdit{}, false, err
	}
	text, err := requote(raw, v)
	if err != nil {
		return composeEdit{}, false, err
	}
	return composeEdit{Edit: Edit{Span: span, Text: text}, before: item.Value, node: item, value: v}, true, nil
}

// hostIPEdit is the edit of a long-syntax entry's host_ip.
func hostIPEdit(content []byte, lines []int, ip *yaml.Node, o ComposeOptions) (composeEdit, bool, error) {
	val, err := Interpolate(ip.Value, o.lookup)
	if err != nil {
		return composeEdit{}, false, fmt.Errorf("host_ip %q: %v", ip.Value, err)
	}
	if val != "" && isLoopbackIP(strings.Trim(val, "[]")) {
		return composeEdit{}, false, nil
	}
	span, raw, err := scalarSpan(content, lines, ip)
	if err != nil {
		return composeEdit{}, false, err
	}
	local := LocalHost
	if strings.Contains(val, ":") {
		local = "::1"
	}
	text, err := requote(raw, local)
	if err != nil {
		return composeEdit{}, false, err
	}
	return composeEdit{Edit: Edit{Span: span, Text: text}, before: "host_ip: " + ip.Value, node: ip, value: local}, true, nil
}

// shortFormKeys are the long-syntax keys the short form can say.
var shortFormKeys = map[string]bool{"target": true, "published": true, "protocol": true, "mode": true}

// shortFormEdit rewrites a long-syntax entry without host_ip in the short
// form on loopback ("127.0.0.1:8000:8000/tcp"), for a Compose that does
// not know host_ip. An entry that says more than the short form can (a
// name, app_protocol, mode: host), or holds a comment, is refused with the
// exact change to make.
func shortFormEdit(content []byte, lines []int, item *yaml.Node, o ComposeOptions) (composeEdit, bool, error) {
	vals := map[string]string{}
	var last *yaml.Node
	for i := 0; i+1 < len(item.Content); i += 2 {
		k, v := item.Content[i], deref(item.Content[i+1])
		if k.Value == "mode" && v.Value == "ingress" {
			last = item.Content[i+1]
			continue
		}
		if !shortFormKeys[k.Value] || k.Value == "mode" || v.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
			return composeEdit{}, false, fmt.Errorf("the long-syntax port on line %d (%s) cannot be written in short form, and the installed Compose does not accept host_ip: publish it on 127.0.0.1 by hand", item.Line, k.Value)
		}
		vals[k.Value], last = v.Value, item.Content[i+1]
	}
	if vals["target"] == "" {
		return composeEdit{}, false, fmt.Errorf("the long-syntax port on line %d has no target: correct it by hand", item.Line)
	}
	short := LocalHost + ":" + vals["published"] + ":" + vals["target"]
	if vals["protocol"] != "" {
		short += "/" + vals["protocol"]
	}
	span, err := mappingSpan(content, lines, item, last)
	if err != nil {
		return composeEdit{}, false, err
	}
	if strings.Contains(string(content[span.Start:span.End]), "#") {
		return composeEdit{}, false, fmt.Errorf("the long-syntax port on line %d holds a comment, and the installed Compose does not accept host_ip: write it as \"%s\" by hand", item.Line, short)
	}
	return composeEdit{Edit: Edit{Span: span, Text: `"` + short + `"`}, before: longWords(item), node: item, value: short, short: true}, true, nil
}

// mappingSpan is where a long-syntax mapping is written: from its first
// key (block) or its { (flow) to the end of its last value (or its }).
func mappingSpan(content []byte, lines []int, item, last *yaml.Node) (Span, error) {
	first := item.Content[0]
	line, col := first.Line, first.Column
	if item.Style&yaml.FlowStyle != 0 {
		line, col = item.Line, item.Column
	}
	start, err := offsetOf(content, lines, line, col)
	if err != nil {
		return Span{}, err
	}
	if item.Style&yaml.FlowStyle != 0 {
		start = skipProperties(content, start)
		if start >= len(content) || content[start] != '{' {
			return Span{}, fmt.Errorf("the long-syntax port on line %d is not where the parser says: edit it by hand", item.Line)
		}
	}
	end, _, err := scalarSpan(content, lines, deref(last))
	if err != nil {
		return Span{}, err
	}
	stop := end.End
	if item.Style&yaml.FlowStyle != 0 {
		for stop < len(content) && content[stop] != '}' {
			if c := content[stop]; c != ' ' && c != '\t' && c != ',' && c != '\n' && c != '\r' {
				return Span{}, fmt.Errorf("the long-syntax port on line %d is not where the parser says: edit it by hand", item.Line)
			}
			stop++
		}
		stop++
	}
	return Span{start, stop}, nil
}

// longWords is a long-syntax entry without host_ip for people:
// "published 8001, target 8000 (long syntax, no host_ip)".
func longWords(item *yaml.Node) string {
	var parts []string
	for _, k := range []string{"published", "target"} {
		if v := deref(mapValue(item, k)); v != nil && v.Kind == yaml.ScalarNode {
			parts = append(parts, k+" "+v.Value)
		}
	}
	return fmt.Sprintf("%s (long syntax on line %d, no host_ip)", strings.Join(parts, ", "), item.Line)
}

// describePort is a port entry for people: the short form as written, or
// the line of a long-syntax one.
func describePort(item *yaml.Node) string {
	if item.Kind == yaml.ScalarNode {
		return item.Value
	}
	return fmt.Sprintf("the port on line %d", item.Line)
}

func cutProto(v string) string { spec, _, _ := strings.Cut(v, "/"); return spec }

// publishedOn reads a short-syntax port ([IP:][HOST:]CONTAINER[/PROTO]):
// the address it is published on ("" every address) and whether that is
// beyond loopback.
func publishedOn(v string) (ip string, beyond bool, err error) {
	parts := splitPort(cutProto(v))
	switch len(parts) {
	case 1, 2: // every address
		return "", true, nil
	case 3:
		ip = strings.Trim(parts[0], "[]")
		return ip, ip == "" || !isLoopbackIP(ip), nil
	}
	return "", false, fmt.Errorf("the published port %q is not one Localguard can read: edit it by hand", v)
}

// onLoopback rewrites a short-syntax port, as written, to publish on
// loopback ([::1] when v6).
func onLoopback(v string, v6 bool) (string, error) {
	spec, proto, hasProto := strings.Cut(v, "/")
	parts := splitPort(spec)
	var rest string
	switch len(parts) {
	case 1: // a container port: a random host port
		rest = ":" + parts[0]
	case 2:
		rest = parts[0] + ":" + parts[1]
	case 3:
		rest = parts[1] + ":" + parts[2]
	default:
		return "", fmt.Errorf("the published port %q is not one Localguard can read: edit it by hand", v)
	}
	local := LocalHost
	if v6 {
		local = "[::1]"
	}
	out := local + ":" + rest
	if hasProto {
		out += "/" + proto
	}
	return out, nil
}

// mustLoopback is onLoopback for a message.
func mustLoopback(v string) string {
	ip, _, _ := publishedOn(v)
	out, err := onLoopback(v, strings.Contains(ip, ":"))
	if err != nil {
		return LocalHost + ":" + v
	}
	return out
}

// splitPort splits a port spec at colons outside brackets and ${...}.
func splitPort(s string) []string {
	var parts []string
	depth, brace, start := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '[':
			depth++
		case s[i] == ']':
			depth--
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			brace++
		case s[i] == '}' && brace > 0:
			brace--
		case s[i] == ':' && depth == 0 && brace == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func isLoopbackIP(s string) bool {
	return s == "localhost" || strings.HasPrefix(s, "127.") || s == "::1"
}

// scalarSpan is where a scalar's text is in the file (quotes included),
// and that text.
func scalarSpan(content []byte, lines []int, n *yaml.Node) (Span, string, error) {
	at, err := offsetOf(content, lines, n.Line, n.Column)
	if err != nil {
		return Span{}, "", err
	}
	at = skipProperties(content, at)
	end, err := scalarEnd(content, at, n)
	if err != nil {
		return Span{}, "", err
	}
	if end > len(content) {
		return Span{}, "", fmt.Errorf("the published port on line %d is not closed", n.Line)
	}
	return Span{at, end}, string(content[at:end]), nil
}

// skipProperties skips an anchor or a tag written before the value at at.
func skipProperties(content []byte, at int) int {
	for at < len(content) && (content[at] == '&' || content[at] == '!') {
		for at < len(content) && content[at] != ' ' && content[at] != '\t' {
			at++
		}
		for at < len(content) && (content[at] == ' ' || content[at] == '\t') {
			at++
		}
	}
	return at
}

// scalarEnd is the offset just past the scalar n written at at, its
// closing quote included; it may pass the end of content when the quote
// is never closed.
func scalarEnd(content []byte, at int, n *yaml.Node) (int, error) {
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return doubleQuotedEnd(content, at), nil
	case n.Style&yaml.SingleQuotedStyle != 0:
		return singleQuotedEnd(content, at), nil
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return 0, fmt.Errorf("the published port on line %d is a block scalar: edit it by hand", n.Line)
	}
	end := at + len(n.Value)
	if end > len(content) || string(content[at:end]) != n.Value {
		return 0, fmt.Errorf("the published port on line %d spans lines: edit it by hand", n.Line)
	}
	return end, nil
}

// doubleQuotedEnd is the offset past the "double-quoted" scalar at at,
// whose backslash escapes the next byte.
func doubleQuotedEnd(content []byte, at int) int {
	end := at + 1
	for end < len(content) && content[end] != '"' {
		if content[end] == '\\' {
			end++
		}
		end++
	}
	return end + 1
}

// singleQuotedEnd is the offset past the 'single-quoted' scalar at at,
// where two single quotes in a row are one quote inside it.
func singleQuotedEnd(content []byte, at int) int {
	end := at + 1
	for end < len(content) {
		if content[end] == '\'' {
			if end+1 < len(content) && content[end+1] == '\'' {
				end += 2
				continue
			}
			break
		}
		end++
	}
	return end + 1
}

// requote writes v in the quoting of raw (plain, 'single' or "double").
func requote(raw, v string) (string, error) {
	switch {
	case strings.HasPrefix(raw, `"`):
		return `"` + v + `"`, nil
	case strings.HasPrefix(raw, "'"):
		return "'" + v + "'", nil
	}
	return v, nil
}

// lineStarts are the byte offsets where each line starts.
func lineStarts(b []byte) []int {
	out := []int{0}
	for i, c := range b {
		if c == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

// offsetOf turns a parser position (1-based line, column in characters)
// into a byte offset.
func offsetOf(content []byte, lines []int, line, col int) (int, error) {
	if line < 1 || line > len(lines) {
		return 0, fmt.Errorf("position %d:%d is outside the file", line, col)
	}
	at := lines[line-1]
	for i := 1; i < col; i++ {
		if at >= len(content) || content[at] == '\n' {
			return 0, fmt.Errorf("position %d:%d is outside its line", line, col)
		}
		_, n := utf8.DecodeRune(content[at:])
		at += n
	}
	return at, nil
}

// columnBytes is the indent, in spaces, of a position's column.
func columnBytes(content []byte, lines []int, line, col int) int { return col - 1 }

func lineEndingAt(b []byte) string {
	if bytes.Contains(b, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// checkCompose reads the new bytes with the YAML parser: they must parse,
// publish every port on loopback, and read exactly as the old document
// does with only the planned values changed (doc, the old document, is
// changed to say so).
func checkCompose(doc *yaml.Node, edits []composeEdit, after []byte, o ComposeOptions) error {
	for _, e := range edits {
		if e.short {
			e.node.Kind, e.node.Tag, e.node.Value, e.node.Content = yaml.ScalarNode, "!!str", e.value, nil
			continue
		}
		if e.insert {
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "host_ip"}
			v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.value}
			e.node.Content = append([]*yaml.Node{k, v}, e.node.Content...)
			continue
		}
		e.node.Value, e.node.Tag = e.value, "!!str"
	}
	var want, got any
	if err := doc.Decode(&want); err != nil {
		return err
	}
	if err := yaml.Unmarshal(after, &got); err != nil {
		return fmt.Errorf("the result does not read as YAML: %v", err)
	}
	if again, _, err := composeEdits(after, o); err != nil || len(again) > 0 {
		return fmt.Errorf("the result still publishes a port beyond loopback")
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("the result reads differently")
	}
	return nil
}

// ComposePublished lists the ports the compose file at path publishes
// beyond loopback, as written ("8000:8000", "published 8001, target 8000
// (long syntax on line 4, no host_ip)" for a long
// syntax entry without one); nil when none, or the file cannot be read.
func ComposePublished(path string, lookup func(string) (string, bool)) ([]string, error) {
	f := &File{Path: path, Target: path}
	content, err := f.read()
	if err != nil || !f.Exists {
		return nil, err
	}
	o := ComposeOptions{Lookup: lookup, HostIP: true, judge: true}
	edits, doc, err := composeEdits(content, o)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range hostNetworked(doc, o) {
		out = append(out, name+": network_mode: host (whatever it listens on, on every address)")
	}
	for _, e := range edits {
		out = append(out, e.service+": "+e.before)
	}
	return out, nil
}
