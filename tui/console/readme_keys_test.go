package console

import (
	"os"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// The README's first key table names every key of the console and the
// panes (it lacked a, A, T, o and g/G): each binding has one of its keys,
// or its help key, in backticks in the table. The topic tree's own keys
// have their own table and are left to it.
func TestReadmeKeyTableIsComplete(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	start := strings.Index(doc, "| key | what it does |")
	if start < 0 {
		t.Fatal("README has no key table")
	}
	table := doc[start:]
	if end := strings.Index(table, "\n\n"); end > 0 {
		table = table[:end]
	}
	arrows := map[string]string{"up": "↑", "down": "↓", "left": "←", "right": "→", "pgdown": "pgdn"}
	km := DefaultKeyMap()
	p := km.Pane
	all := []key.Binding{p.Up, p.Down, p.PageUp, p.PageDown, p.Top, p.Bottom, p.Enter, p.Filter, p.Expand, p.Collapse,
		p.Order, p.Scope, p.Hex, p.Ack, km.NextPane, km.PrevPane, km.Zoom, km.Esc, km.Pause, km.Theme, km.Retry, km.Help,
		km.Quit, km.Trigger, km.Command, km.SetValue, km.Snapshot, km.Publish}
	all = append(all, km.Focus[0], km.Focus[len(km.Focus)-1])
	for _, b := range all {
		found := false
		for _, k := range append(b.Keys(), b.Help().Key) {
			if a, ok := arrows[k]; ok {
				k = a
			}
			if strings.Contains(table, "`"+k+"`") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("key %v (%s) is not in the README key table", b.Keys(), b.Help().Desc)
		}
	}
}
