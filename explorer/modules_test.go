package explorer_test

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/explorer"
)

// entry is the module index.html loads; every other module must be
// reachable from it by imports.
const entry = "app.js"

var (
	// importRE matches a static import or re-export: its clause (names,
	// "* as x", a default name; empty for a bare import) and its specifier.
	importRE = regexp.MustCompile(`(?m)^[ \t]*(?:import|export)\s*(?:([\w$*{}\s,]+?)\s*from\s*)?['"]([^'"]+)['"]`)
	// importStartRE finds every import statement, to catch any importRE misses.
	importStartRE = regexp.MustCompile(`(?m)^[ \t]*import\b\s*[\w$*{'"]`)
	// dynamicRE matches import(...): allowed only with a literal specifier.
	dynamicRE  = regexp.MustCompile(`\bimport\s*\(`)
	literalRE  = regexp.MustCompile(`\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)`)
	declRE     = regexp.MustCompile(`(?m)^export\s+(?:async\s+)?(?:function\s*\*?|const|let|var|class)\s*([\w$]+)`)
	exportsRE  = regexp.MustCompile(`(?m)^[ \t]*export\s*\{([^}]*)\}`)
	defaultRE  = regexp.MustCompile(`(?m)^export\s+default\b`)
	moduleTags = regexp.MustCompile(`<script\s[^>]*\btype="module"[^>]*\bsrc="` + regexp.QuoteMeta(explorer.Prefix) + `([^"]+)"`)
)

type module struct {
	exports map[string]bool
	imports []moduleImport
}

type moduleImport struct {
	target string   // resolved path in the FS
	names  []string // named imports ("default" for a default import)
}

// checkModules checks the ES modules in files: every import names a
// module in files by a relative path ending in .js, every imported name
// is exported there, and every module is reachable from entry.
func checkModules(files fs.FS, entry string) []string {
	var errs []string
	mods := map[string]*module{}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".js" {
			return err
		}
		src, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		m, merrs := parseModule(name, string(src))
		mods[name] = m
		errs = append(errs, merrs...)
		return nil
	})
	if err != nil {
		return append(errs, err.Error())
	}
	if mods[entry] == nil {
		return append(errs, fmt.Sprintf("no entry module %s", entry))
	}
	names := make([]string, 0, len(mods))
	for name := range mods {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, im := range mods[name].imports {
			target := mods[im.target]
			if target == nil {
				if _, err := fs.Stat(files, im.target); err != nil {
					errs = append(errs, fmt.Sprintf("%s imports %s: not embedded", name, im.target))
				} else {
					errs = append(errs, fmt.Sprintf("%s imports %s: not a .js module", name, im.target))
				}
				continue
			}
			for _, n := range im.names {
				if !target.exports[n] {
					errs = append(errs, fmt.Sprintf("%s imports %s from %s, which does not export it", name, n, im.target))
				}
			}
		}
	}
	// Reachability from the entry: a module nothing imports is dead code
	// (or a page someone forgot to route to).
	seen := map[string]bool{entry: true}
	for queue := []string{entry}; len(queue) > 0; queue = queue[1:] {
		for _, im := range mods[queue[0]].imports {
			if mods[im.target] != nil && !seen[im.target] {
				seen[im.target] = true
				queue = append(queue, im.target)
			}
		}
	}
	for _, name := range names {
		if !seen[name] {
			errs = append(errs, fmt.Sprintf("%s is not imported (not reachable from %s)", name, entry))
		}
	}
	return errs
}

func parseModule(name, src string) (*module, []string) {
	var errs []string
	m := &module{exports: map[string]bool{}}
	resolve := func(spec string) (string, bool) {
		if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") || path.Ext(spec) != ".js" {
			errs = append(errs, fmt.Sprintf("%s imports %q: want a relative path to a .js file (no bare names, no other origins)", name, spec))
			return "", false
		}
		target := path.Join(path.Dir(name), spec)
		if !fs.ValidPath(target) {
			errs = append(errs, fmt.Sprintf("%s imports %q: outside the embedded files", name, spec))
			return "", false
		}
		return target, true
	}
	statements := importRE.FindAllStringSubmatch(src, -1)
	imports := 0
	for _, s := range statements {
		clause, spec := s[1], s[2]
		if strings.HasPrefix(strings.TrimSpace(s[0]), "import") {
			imports++
		}
		target, ok := resolve(spec)
		if !ok {
			continue
		}
		im := moduleImport{target: target}
		isExport := strings.HasPrefix(strings.TrimSpace(s[0]), "export")
		if open := strings.Index(clause, "{"); open >= 0 {
			end := strings.Index(clause, "}")
			if end < open {
				errs = append(errs, fmt.Sprintf("%s: cannot read the import %q", name, s[0]))
				continue
			}
			for _, part := range strings.Split(clause[open+1:end], ",") {
				f := strings.Fields(part)
				if len(f) == 0 {
					continue
				}
				im.names = append(im.names, f[0])
				if isExport { // export { a as b } from: exports b
					m.exports[f[len(f)-1]] = true
				}
			}
			clause = clause[:open]
		}
		if d := strings.Trim(strings.TrimSpace(clause), ","); d != "" && !strings.HasPrefix(d, "*") && !isExport {
			im.names = append(im.names, "default")
		}
		m.imports = append(m.imports, im)
	}
	if n := len(importStartRE.FindAllString(src, -1)); n != imports {
		errs = append(errs, fmt.Sprintf("%s: %d import statements, %d understood by this test", name, n, imports))
	}
	dynamic := literalRE.FindAllStringSubmatch(src, -1)
	if len(dynamic) != len(dynamicRE.FindAllString(src, -1)) {
		errs = append(errs, fmt.Sprintf("%s: import() with a computed specifier (name the module, so this test can check it)", name))
	}
	for _, s := range dynamic {
		if target, ok := resolve(s[1]); ok {
			m.imports = append(m.imports, moduleImport{target: target})
		}
	}
	for _, s := range declRE.FindAllStringSubmatch(src, -1) {
		m.exports[s[1]] = true
	}
	for _, loc := range exportsRE.FindAllStringSubmatchIndex(src, -1) {
		if regexp.MustCompile(`^\s*from\b`).MatchString(src[loc[1]:]) {
			continue // a re-export, read above
		}
		for _, part := range strings.Split(src[loc[2]:loc[3]], ",") {
			if f := strings.Fields(part); len(f) > 0 {
				m.exports[f[len(f)-1]] = true
			}
		}
	}
	if defaultRE.MatchString(src) {
		m.exports["default"] = true
	}
	return m, errs
}

// TestModules checks the embedded ES modules: index.html loads the entry
// module, every import names an embedded module and a name it exports, and
// every module is imported, so a renamed or moved module cannot ship
// broken or dead.
func TestModules(t *testing.T) {
	files := explorer.FS()
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	tags := moduleTags.FindAllStringSubmatch(string(index), -1)
	if len(tags) != 1 || tags[0][1] != entry {
		t.Errorf("index.html loads modules %v, want exactly %s", tags, entry)
	}
	if strings.Count(string(index), "<script") != len(tags) {
		t.Error("index.html loads a script that is not a module")
	}
	for _, e := range checkModules(files, entry) {
		t.Error(e)
	}
	// The modules the pages of protocol v2 build on.
	for _, name := range []string{"lib/api.js", "lib/dom.js", "lib/format.js", "lib/router.js", "txkinds/index.js"} {
		if _, err := fs.Stat(files, name); err != nil {
			t.Error(err)
		}
	}
}

// TestCheckModules shows that checkModules catches what it is for.
func TestCheckModules(t *testing.T) {
	files := fstest.MapFS{
		"app.js": {Data: []byte("import { a, b as c } from './lib/a.js';\nimport {\n  gone,\n} from './lib/gone.js';\n" +
			"import './lib/side.js';\nimport x from './lib/a.js';\nimport { y } from 'npm-package';\nexport { a } from './lib/a.js';\n")},
		"lib/a.js":    {Data: []byte("export function a() {}\nconst z = 1;\nexport { z as b };\n")},
		"lib/side.js": {Data: []byte("import('../lib/lazy.js');\nconst n = 'x'; import(n);\n")},
		"lib/lazy.js": {Data: []byte("export const lazy = 1;\n")},
		"lib/dead.js": {Data: []byte("export const dead = 1;\n")},
	}
	got := strings.Join(checkModules(files, "app.js"), "\n")
	for _, want := range []string{
		"app.js imports lib/gone.js: not embedded",
		"app.js imports default from lib/a.js, which does not export it",
		`app.js imports "npm-package": want a relative path`,
		"lib/side.js: import() with a computed specifier",
		"lib/dead.js is not imported",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("checkModules missed %q; said:\n%s", want, got)
		}
	}
	for _, notWant := range []string{"imports a from lib/a.js", "imports b from lib/a.js", "lib/lazy.js is not imported", "lib/side.js is not imported", "imports gone"} {
		if strings.Contains(got, notWant) {
			t.Errorf("checkModules wrongly said %q:\n%s", notWant, got)
		}
	}
}

// TestEveryKindHasARenderer checks that every tx kind of the protocol has
// a renderer in txkinds/ (a module named after the kind for version 2's,
// in the kinds map of txkinds/index.js), so a new kind cannot ship
// without one and fall to the unknown-kind fallback unnoticed.
func TestEveryKindHasARenderer(t *testing.T) {
	files := explorer.FS()
	index, err := fs.ReadFile(files, "txkinds/index.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range core.Kinds() {
		name := k.String()
		if !strings.Contains(string(index), "['"+name+"', { render: ") {
			t.Errorf("txkinds/index.js: kind %s is not in the kinds map", name)
		}
		if k == core.KindTransfer {
			continue
		}
		src, err := fs.ReadFile(files, "txkinds/"+name+".js")
		if err != nil {
			t.Errorf("kind %s: no renderer module: %v", name, err)
			continue
		}
		if !strings.Contains(string(index), "from './"+name+".js'") || !regexp.MustCompile(`(?m)^export function \w+Summary\(`).Match(src) {
			t.Errorf("txkinds/%s.js: want a renderer and a summary imported by index.js", name)
		}
	}
}
