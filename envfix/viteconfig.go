package envfix

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// Vite's config as Vite reads it. A vite.config.{js,mjs,cjs,ts,mts,cts}
// is read with real parsers, never patterns: esbuild (the transformer Vite
// itself uses to load a config) strips TypeScript and hands back plain
// JavaScript with a source map; tdewolff/parse reads that JavaScript into
// a tree whose every leaf is a slice of the text, so a leaf's position in
// the JavaScript is exact, and the source map takes it back to the byte in
// the file as written. Neither library alone does both: tdewolff/parse
// has no TypeScript, esbuild exposes no syntax tree.

// ViteHostKind says how a Vite config sets server.host.
type ViteHostKind int

// How server.host is set.
const (
	// ViteHostUnset: no server.host; Vite listens on localhost.
	ViteHostUnset ViteHostKind = iota
	// ViteHostLiteral: a literal (true, false, a string), in Value.
	ViteHostLiteral
	// ViteHostEnv: an environment variable (process.env.NAME), in Var,
	// with Fallback when written `process.env.NAME || 'localhost'`.
	ViteHostEnv
	// ViteHostUnknown: anything Localguard cannot decide from the file
	// (a function call, a variable of another file, an unresolved spread).
	ViteHostUnknown
)

// ViteHost is server.host as a Vite config sets it.
type ViteHost struct {
	Kind ViteHostKind
	// Value is the literal's value: "true", "false", or the string.
	Value string
	// Var is the environment variable, for ViteHostEnv.
	Var      string
	Fallback *ViteHost
	// Direct is true when the literal is written as server.host's own
	// value (not through a variable): only then is it fixed in place.
	Direct bool
	// Line is the line of the file server.host's value is on (0 unset),
	// Text that line, trimmed, for people.
	Line int
	Text string
	// Why says what Localguard could not decide, for ViteHostUnknown.
	Why string
	// span is the literal's bytes in the file, when Direct.
	span Span
}

// Decide says where Vite would listen with this server.host when started
// with the environment environ (envKnown false: that environment is not
// known). beyond is true for every address or any address beyond
// loopback; known is false when it cannot be told.
func (h *ViteHost) Decide(environ []string, envKnown bool) (beyond, known bool) {
	switch h.Kind {
	case ViteHostUnset:
		return false, true
	case ViteHostLiteral:
		return viteLiteralBeyond(h.Value), true
	case ViteHostEnv:
		if !envKnown {
			return false, false
		}
		for i := len(environ) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(environ[i], "="); ok && k == h.Var && v != "" {
				return viteLiteralBeyond(v), true
			}
		}
		if h.Fallback != nil {
			return h.Fallback.Decide(environ, envKnown)
		}
		return false, true // undefined: localhost
	}
	return false, false
}

// viteLiteralBeyond: true, ”, '0.0.0.0', '::' or any address beyond
// loopback listens beyond this computer; false and loopback names do not.
func viteLiteralBeyond(v string) bool {
	switch v {
	case "false":
		return false
	case "true", "":
		return true
	}
	return !ClassifyHost(v).Local()
}

// Words says server.host for people: "host: true (line 4)".
func (h *ViteHost) Words() string {
	if h.Kind == ViteHostUnset {
		return "no server.host"
	}
	return fmt.Sprintf("%s (line %d)", h.Text, h.Line)
}

// ReadViteHost reads server.host from the Vite config content (named
// path, whose extension says JavaScript or TypeScript).
func ReadViteHost(path string, content []byte) (*ViteHost, error) {
	loader := api.LoaderJS
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ts", ".mts", ".cts":
		loader = api.LoaderTS
	}
	r := api.Transform(string(content), api.TransformOptions{Loader: loader, Sourcemap: api.SourceMapExternal, Sourcefile: filepath.Base(path)})
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		if e.Location != nil {
			return nil, fmt.Errorf("line %d: %s", e.Location.Line, e.Text)
		}
		return nil, errors.New(e.Text)
	}
	out := make([]byte, len(r.Code), len(r.Code)+1) // room for the parser's NUL: the leaves stay slices of out
	copy(out, r.Code)
	ast, err := js.Parse(parse.NewInputBytes(out), js.Options{})
	if err != nil {
		return nil, fmt.Errorf("reading the JavaScript esbuild made of it: %v", err)
	}
	m, err := readSourceMap(r.Map)
	if err != nil {
		return nil, err
	}
	rd := &viteReader{src: content, out: out, smap: m, scope: declarations(ast.List)}
	return rd.host(ast.List), nil
}

// viteReader reads one config: the file, the JavaScript made of it, the
// map between them, and the constants in scope.
type viteReader struct {
	src, out []byte
	smap     sourceMap
	scope    map[string]js.IExpr
}

// declarations are the const declarations among stmts, by name (a let or
// var may change before Vite reads it: not taken).
func declarations(stmts []js.IStmt) map[string]js.IExpr {
	out := map[string]js.IExpr{}
	for _, s := range stmts {
		if e, ok := s.(*js.ExportStmt); ok && e.Decl != nil {
			if d, ok := e.Decl.(*js.VarDecl); ok {
				s = d
			}
		}
		d, ok := s.(*js.VarDecl)
		if !ok || d.TokenType != js.ConstToken {
			continue
		}
		for _, b := range d.List {
			if v, ok := b.Binding.(*js.Var); ok && b.Default != nil {
				out[string(v.Data)] = b.Default
			}
		}
	}
	return out
}

// host finds the exported config and its server.host.
func (rd *viteReader) host(stmts []js.IStmt) *ViteHost {
	cfg := exportedConfig(stmts)
	if cfg == nil {
		return rd.unknown(nil, "Localguard found no export default (or module.exports) of the config")
	}
	obj, why := rd.object(cfg, 0)
	if obj == nil {
		return rd.unknown(cfg, "the config is "+why)
	}
	server, found, why := rd.property(obj, "server", 0)
	switch {
	case why != "":
		return rd.unknown(server, why)
	case !found:
		return &ViteHost{Kind: ViteHostUnset}
	}
	sobj, why := rd.object(server, 0)
	if sobj == nil {
		return rd.unknown(server, "server is "+why)
	}
	host, found, why := rd.property(sobj, "host", 0)
	switch {
	case why != "":
		return rd.unknown(host, why)
	case !found:
		return &ViteHost{Kind: ViteHostUnset}
	}
	h := rd.value(host, true, 0)
	rd.place(h, host)
	return h
}

// exportedConfig is the expression a config exports.
func exportedConfig(stmts []js.IStmt) js.IExpr {
	for _, s := range stmts {
		switch s := s.(type) {
		case *js.ExportStmt:
			if s.Default {
				return s.Decl
			}
		case *js.ExprStmt:
			if a, ok := s.Value.(*js.BinaryExpr); ok && a.Op == js.EqToken && isModuleExports(a.X) {
				return a.Y
			}
		}
	}
	return nil
}

func isModuleExports(e js.IExpr) bool {
	d, ok := e.(*js.DotExpr)
	if !ok {
		return false
	}
	if x, ok := d.X.(*js.Var); ok && string(x.Data) == "module" && exprName(d.Y) == "exports" {
		return true
	}
	if x, ok := d.X.(*js.Var); ok && string(x.Data) == "exports" && exprName(d.Y) == "default" {
		return true
	}
	return false
}

// maxDepth bounds following constants and functions (a config that
// refers to itself is not followed forever).
const maxDepth = 16

// object follows e to the object literal it is: defineConfig(...), a
// function that returns one, a constant; why says what it is otherwise.
func (rd *viteReader) object(e js.IExpr, depth int) (*js.ObjectExpr, string) {
	if depth > maxDepth {
		return nil, "too deeply nested to follow"
	}
	switch e := e.(type) {
	case *js.ObjectExpr:
		return e, ""
	case *js.GroupExpr:
		return rd.object(e.X, depth+1)
	case *js.CallExpr:
		if name := exprName(e.X); name == "defineConfig" && len(e.Args.List) == 1 && !e.Args.List[0].Rest {
			return rd.object(e.Args.List[0].Value, depth+1)
		}
		return nil, "made by a call Localguard cannot follow"
	case *js.ArrowFunc:
		return rd.returned(e.Body, depth)
	case *js.FuncDecl:
		return rd.returned(e.Body, depth)
	case *js.Var:
		if init, ok := rd.scope[string(e.Data)]; ok {
			return rd.object(init, depth+1)
		}
		return nil, fmt.Sprintf("the variable %s, which Localguard cannot follow", e.Data)
	}
	return nil, "an expression Localguard cannot follow"
}

// returned is the object a function body returns, when it has one return.
func (rd *viteReader) returned(body js.BlockStmt, depth int) (*js.ObjectExpr, string) {
	var ret *js.ReturnStmt
	for _, s := range body.List {
		if r, ok := s.(*js.ReturnStmt); ok {
			if ret != nil {
				return nil, "returned from a function with several returns"
			}
			ret = r
		}
	}
	if ret == nil || ret.Value == nil {
		return nil, "returned from a function Localguard cannot follow"
	}
	outer := rd.scope
	rd.scope = map[string]js.IExpr{}
	for k, v := range outer {
		rd.scope[k] = v
	}
	for k, v := range declarations(body.List) {
		rd.scope[k] = v
	}
	defer func() { rd.scope = outer }()
	return rd.object(ret.Value, depth+1)
}

// property is the value of name in obj as JavaScript builds the object:
// the last property or spread that sets it wins. why is set when a spread
// after the last explicit one cannot be followed.
func (rd *viteReader) property(obj *js.ObjectExpr, name string, depth int) (js.IExpr, bool, string) {
	for i := len(obj.List) - 1; i >= 0; i-- {
		p := obj.List[i]
		if p.Spread {
			inner, why := rd.object(p.Value, depth+1)
			if inner == nil {
				return p.Value, false, fmt.Sprintf("the config spreads ...%s into it, which %s", exprText(p.Value), strings.TrimPrefix(why, "the "))
			}
			if v, found, why := rd.property(inner, name, depth+1); found || why != "" {
				return v, found, why
			}
			continue
		}
		if p.Name == nil {
			continue
		}
		if p.Name.Computed != nil {
			return p.Value, false, "a computed property name Localguard cannot follow"
		}
		if propName(p.Name.Literal) == name {
			return p.Value, true, ""
		}
	}
	return nil, false, ""
}

// propName is a property's name, unquoted.
func propName(l js.LiteralExpr) string {
	if l.TokenType == js.StringToken {
		return unquoteJS(l.Data)
	}
	return string(l.Data)
}

// value reads server.host's value: direct is true for the property's own
// value (not followed through a variable).
func (rd *viteReader) value(e js.IExpr, direct bool, depth int) *ViteHost {
	if depth > maxDepth {
		return rd.unknown(e, "too deeply nested to follow")
	}
	if v, ok := literalValue(e); ok {
		return &ViteHost{Kind: ViteHostLiteral, Value: v, Direct: direct}
	}
	switch e := e.(type) {
	case *js.GroupExpr:
		return rd.value(e.X, direct, depth+1)
	case *js.Var:
		if init, ok := rd.scope[string(e.Data)]; ok {
			return rd.value(init, false, depth+1)
		}
		return rd.unknown(e, fmt.Sprintf("server.host is the variable %s, which Localguard cannot follow", e.Data))
	case *js.BinaryExpr:
		if e.Op == js.OrToken || e.Op == js.NullishToken {
			if v := envVar(e.X); v != "" {
				return &ViteHost{Kind: ViteHostEnv, Var: v, Fallback: rd.value(e.Y, false, depth+1)}
			}
		}
	}
	if v := envVar(e); v != "" {
		return &ViteHost{Kind: ViteHostEnv, Var: v}
	}
	return rd.unknown(e, "server.host is an expression Localguard cannot decide ("+exprText(e)+")")
}

// literalValue is a literal's value: "true", "false", a string (quoted
// or a template without substitutions).
func literalValue(e js.IExpr) (string, bool) {
	switch e := e.(type) {
	case *js.LiteralExpr:
		switch e.TokenType {
		case js.TrueToken:
			return "true", true
		case js.FalseToken:
			return "false", true
		case js.StringToken:
			return unquoteJS(e.Data), true
		}
	case *js.TemplateExpr:
		if e.Tag == nil && len(e.List) == 0 {
			return strings.Trim(string(e.Tail), "`"), true
		}
	}
	return "", false
}

// envVar is NAME for process.env.NAME or process.env['NAME'], "" else.
func envVar(e js.IExpr) string {
	var x, y js.IExpr
	switch e := e.(type) {
	case *js.DotExpr:
		x, y = e.X, e.Y
	case *js.IndexExpr:
		x, y = e.X, e.Y
	default:
		return ""
	}
	d, ok := x.(*js.DotExpr)
	if !ok || exprName(d.X) != "process" || exprName(d.Y) != "env" {
		return ""
	}
	if l, ok := y.(*js.LiteralExpr); ok && l.TokenType == js.StringToken {
		return unquoteJS(l.Data)
	}
	if l, ok := y.(js.LiteralExpr); ok && l.TokenType == js.StringToken {
		return unquoteJS(l.Data)
	}
	return exprName(y)
}

// exprName is the name of a variable or a property name.
func exprName(e js.IExpr) string {
	switch e := e.(type) {
	case *js.Var:
		return string(e.Data)
	case *js.LiteralExpr:
		return string(e.Data)
	case js.LiteralExpr:
		return string(e.Data)
	}
	return ""
}

func exprText(e js.IExpr) string {
	if e == nil {
		return ""
	}
	return e.String()
}

// unquoteJS decodes a JavaScript string literal as esbuild prints it.
func unquoteJS(b []byte) string {
	s := string(b)
	if len(s) >= 2 && s[0] == '\'' {
		s = `"` + strings.ReplaceAll(strings.ReplaceAll(s[1:len(s)-1], `"`, `\"`), `\'`, `'`) + `"`
	}
	var v string
	if json.Unmarshal([]byte(s), &v) == nil {
		return v
	}
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return strings.Trim(s, `"'`)
}

// unknown is a server.host Localguard cannot decide.
func (rd *viteReader) unknown(e js.IExpr, why string) *ViteHost {
	h := &ViteHost{Kind: ViteHostUnknown, Why: why}
	rd.place(h, e)
	return h
}

// place sets h's line (and, for a direct literal, its bytes) in the file
// from the JavaScript expression e.
func (rd *viteReader) place(h *ViteHost, e js.IExpr) {
	leaf := firstLeaf(e)
	if leaf == nil {
		return
	}
	at, ok := rd.outOffset(leaf)
	if !ok {
		h.Direct = false
		return
	}
	src, exact := rd.smap.original(rd.out, at, rd.src)
	if src < 0 {
		h.Direct = false
		return
	}
	h.Line = 1 + strings.Count(string(rd.src[:src]), "\n")
	h.Text = strings.TrimSpace(lineAt(rd.src, src))
	if h.Kind != ViteHostLiteral || !h.Direct {
		return
	}
	end, ok := literalAt(rd.src, src, h.Value)
	if !exact || !ok {
		h.Direct = false // the file's bytes are not the literal read: not fixed in place
		return
	}
	h.span = Span{src, end}
}

// firstLeaf is the leftmost slice of text in e.
func firstLeaf(e js.IExpr) []byte {
	switch e := e.(type) {
	case *js.LiteralExpr:
		return e.Data
	case *js.Var:
		return e.Data
	case *js.DotExpr:
		return firstLeaf(e.X)
	case *js.IndexExpr:
		return firstLeaf(e.X)
	case *js.CallExpr:
		return firstLeaf(e.X)
	case *js.BinaryExpr:
		return firstLeaf(e.X)
	case *js.CondExpr:
		return firstLeaf(e.Cond)
	case *js.GroupExpr:
		return firstLeaf(e.X)
	case *js.TemplateExpr:
		if len(e.List) > 0 {
			return e.List[0].Value
		}
		return e.Tail
	}
	return nil
}

// outOffset is where leaf, a slice of out (the parser's leaves are
// slices of its input), starts in out: found by the address of its first
// byte, so two equal leaves are never confused.
func (rd *viteReader) outOffset(leaf []byte) (int, bool) {
	if len(leaf) == 0 {
		return 0, false
	}
	for at := 0; at+len(leaf) <= len(rd.out); at++ {
		if &rd.out[at] == &leaf[0] {
			return at, true
		}
	}
	return 0, false
}

func lineAt(b []byte, at int) string {
	start := strings.LastIndexByte(string(b[:at]), '\n') + 1
	end := strings.IndexByte(string(b[at:]), '\n')
	if end < 0 {
		return string(b[start:])
	}
	return string(b[start : at+end])
}

// literalAt checks, with the JavaScript lexer, that the file holds the
// literal value at at (true, false, a quoted or template string), and
// returns where it ends.
func literalAt(src []byte, at int, value string) (int, bool) {
	buf := make([]byte, len(src)-at, len(src)-at+1)
	copy(buf, src[at:])
	l := js.NewLexer(parse.NewInputBytes(buf))
	tt, text := l.Next()
	switch tt {
	case js.TrueToken, js.FalseToken:
		return at + len(text), string(text) == value
	case js.StringToken:
		return at + len(text), unquoteJS(text) == value
	case js.TemplateToken:
		return at + len(text), strings.Trim(string(text), "`") == value && !strings.Contains(string(text), "${")
	}
	return 0, false
}
