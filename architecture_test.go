package main

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// The import rules of ARCHITECTURE.md, checked on the real import graph
// (`go list`, non-test files). A rule names a package (or a subtree with
// "/...") and what it must not import; "mod:" marks a path inside this
// module.

const module = "github.com/mqdeck/mqdeck"

type importRule struct {
	pkg    string   // "decode", "mqttconn/...", "*" (every package but main)
	forbid []string // "mod:tui/...", "context", "charm.land/..."
	why    string
}

var importRules = []importRule{
	{"decode", []string{"mod:..."},
		"decode is the leaf: payload bytes to values and terminal-safe text; everything else may use it"},
	{"themes", []string{"mod:..."},
		"themes are colours and styles named by meaning"},
	{"mqttconn/...", []string{"mod:tui/...", "mod:views/..."},
		"the transport and the platform schemes sit below the program: they never see the console"},
	{"tui/fleet", []string{"charm.land/...", "mod:views/...", "mod:tui/console", "mod:tui/actions", "mod:tui/platforms/..."},
		"the fleet store is pure Go, tested without a terminal; it knows no platform: the units hand it their apply (fleet.Platform)"},
	{"tui/topics", []string{"charm.land/...", "mod:views/...", "mod:tui/console", "mod:tui/actions", "mod:tui/fleet", "mod:mqttconn/..."},
		"the topic tree is pure Go over plain messages: the fleet store feeds it, sessions draw it"},
	{"tui/actions", []string{"charm.land/...", "mod:views/...", "mod:tui/console", "mod:tui/platforms/..."},
		"actions build, track and audit; the root runs them, the views draw them; the units implement actions.Platform, never the other way"},
	{"tui/platforms/...", []string{"charm.land/...", "mod:views/...", "mod:tui/console"},
		"a platform unit says what its messages and actions mean; it draws nothing"},
	{"views/...", []string{"mod:mqttconn/...", "context", "net/http", "mod:tui/console"},
		"views only draw: the root acts (publish, ack) and hands them data and view-models"},
	{"*", []string{"mod:tui/cli"},
		"only main wires the program"},
}

// knownExceptions are imports that break a rule today, each with the
// issue that removes it. An exception no longer needed is reported in the
// test log, never a failure, so the landing that removes the import passes.
var knownExceptions = map[[2]string]string{}

// matches reports whether path is pattern's package or, for "x/...", in
// its subtree; "mod:" patterns are inside this module.
func matches(pattern, path string) bool {
	if p, ok := strings.CutPrefix(pattern, "mod:"); ok {
		if p == "..." {
			return path == module || strings.HasPrefix(path, module+"/")
		}
		pattern = module + "/" + p
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

// violations lists "pkg imports dep (why)" for every broken rule in graph
// (package path -> its imports), leaving out the known exceptions.
func violations(graph map[string][]string, rules []importRule, except map[[2]string]string) (bad []string, excused [][2]string) {
	for pkg, imports := range graph {
		for _, r := range rules {
			applies := r.pkg == "*" && pkg != module || r.pkg != "*" && matches("mod:"+r.pkg, pkg)
			if !applies {
				continue
			}
			for _, dep := range imports {
				for _, f := range r.forbid {
					if !matches(f, dep) || dep == pkg {
						continue
					}
					if _, ok := except[[2]string{strings.TrimPrefix(pkg, module+"/"), dep}]; ok {
						excused = append(excused, [2]string{pkg, dep})
						continue
					}
					bad = append(bad, pkg+" imports "+dep+": "+r.why)
				}
			}
		}
	}
	sort.Strings(bad)
	return bad, excused
}

func importGraph(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		graph[f[0]] = f[1:]
	}
	return graph
}

func TestImportRules(t *testing.T) {
	graph := importGraph(t)
	for _, must := range []string{module, module + "/decode", module + "/views", module + "/tui/fleet", module + "/mqttconn"} {
		if _, ok := graph[must]; !ok {
			t.Fatalf("go list did not report %s: is the test run from the module root?", must)
		}
	}
	bad, excused := violations(graph, importRules, knownExceptions)
	for _, v := range bad {
		t.Error(v)
	}
	for key, issue := range knownExceptions {
		found := false
		for _, e := range excused {
			found = found || e == [2]string{module + "/" + key[0], key[1]}
		}
		if !found {
			t.Logf("known exception %s -> %s (%s) is no longer needed: remove it from knownExceptions", key[0], key[1], issue)
		}
	}
}

// The checker finds what it is meant to find: a rule broken in a made-up
// graph is reported, an allowed import is not, an exception is excused.
func TestImportRulesCatchAViolation(t *testing.T) {
	graph := map[string][]string{
		module + "/views":         {"fmt", module + "/mqttconn/platform", module + "/tui/fleet"},
		module + "/tui/fleet":     {module + "/decode", "charm.land/bubbletea/v2", module + "/tui/platforms/drivr"},
		module + "/decode":        {module + "/mqttconn"},
		module + "/mqttconn/sim":  {module + "/tui/fleet"},
		module + "/tui/console":   {module + "/tui/cli"},
		module:                    {module + "/tui/cli"},
		module + "/mqttconn/xtra": {module + "/decode"},
	}
	bad, excused := violations(graph, importRules, map[[2]string]string{{"decode", module + "/mqttconn"}: "test"})
	want := []string{
		module + "/mqttconn/sim imports " + module + "/tui/fleet",
		module + "/tui/console imports " + module + "/tui/cli",
		module + "/tui/fleet imports charm.land/bubbletea/v2",
		module + "/tui/fleet imports " + module + "/tui/platforms/drivr",
		module + "/views imports " + module + "/mqttconn/platform",
	}
	if len(bad) != len(want) {
		t.Fatalf("violations:\n%s\nwant %d", strings.Join(bad, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(bad[i], w+":") {
			t.Errorf("violation %d: %q, want %q", i, bad[i], w)
		}
	}
	if len(excused) != 1 || excused[0][0] != module+"/decode" {
		t.Errorf("excused %v, want decode -> mqttconn", excused)
	}
}
