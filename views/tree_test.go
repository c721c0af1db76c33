package views

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/fleet/fixture"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// treeKeys are testKeys with the tree's own.
func treeKeys() Keys {
	k := DefaultKeys()
	k.ClearRetained.SetEnabled(true)
	return k
}

// genericStore is a broker of any kind: a retained hierarchy, live
// telemetry whose JSON changes, $SYS, an empty segment, a leading slash,
// binary and hostile payloads.
func genericStore() *fleet.Store {
	cfg := fleet.DefaultConfig()
	cfg.Now = fixture.Clock
	s := fleet.New(cfg, platforms.Fleet())
	at := fixture.Now.Add(-30 * time.Second)
	var items []fleet.Item
	add := func(topic, payload string, retained bool) {
		at = at.Add(time.Second)
		items = append(items, fleet.Item{Msg: mqttconn.Message{Topic: topic, Payload: []byte(payload), Retain: retained, Received: at},
			Value: decode.Decode([]byte(payload), decode.Hints{}, decode.DefaultLimits())})
	}
	add("home/kitchen/light", `{"on": true, "level": 80}`, true)
	add("home/hall/door", "closed", true)
	add("$SYS/broker/uptime", "86400 seconds", true)
	add("/leading/slash", "x", false)
	add("plant//empty-segment", "y", false)
	add("plant/line-1/raw", "\x00\x01\x02\xff\xfe binary", false)
	add("plant/line-1/evil", "\x1b]2;pwned\x07\x1b[2J hi", false)
	for i := 0; i < 6; i++ {
		add("home/kitchen/temp", fmt.Sprintf(`{"telemetries": {"temp.c": %d.5, "fan_speed": %d}, "state": "%s"}`, 20+i, 1000+100*i, []string{"ok", "ok", "warm"}[i%3]), false)
	}
	add("home/hall/door", "open", false) // live after retained: the mark says the copy may differ
	add("home/kitchen/notes", "line one\nline two\nline three", false)
	add("home/kitchen/notes", "line one\nline 2\nline three\nline four", false)
	s.Apply(items)
	return s
}

func TestTreePaneGoldens(t *testing.T) {
	store := genericStore()
	for _, theme := range []string{themes.Dark, themes.Light} {
		st := themes.New(theme)
		for _, sz := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("tree_%dx%d_%s", sz[0], sz[1], theme), func(t *testing.T) {
				p := NewTopicsPane(st, treeKeys(), store.Topics(), store.Now)
				p.SetSize(sz[0], sz[1])
				p.Focus()
				for _, n := range store.Topics().Root().AppendKids(nil) {
					p.lst.ExpandAll(n)
				}
				p.setSel(store.Topics().Find("home/kitchen/temp"))
				out := p.View()
				checkBlock(t, out, sz[0], sz[1])
				golden.RequireEqual(t, out)
			})
			t.Run(fmt.Sprintf("topic_plot_%dx%d_%s", sz[0], sz[1], theme), func(t *testing.T) {
				store.Topics().Track("home/kitchen/temp", `telemetries.temp\.c`)
				p := NewDetailPane(st, treeKeys(), store)
				p.SetSubject(Subject{Kind: SubjectTopic, Topic: "home/kitchen/temp", Field: `telemetries.temp\.c`})
				p.SetSize(sz[0], sz[1])
				out := p.View()
				checkBlock(t, out, sz[0], sz[1])
				golden.RequireEqual(t, out)
			})
			t.Run(fmt.Sprintf("topic_detail_%dx%d_%s", sz[0], sz[1], theme), func(t *testing.T) {
				p := NewDetailPane(st, treeKeys(), store)
				p.SetSubject(Subject{Kind: SubjectTopic, Topic: "home/kitchen/temp"})
				p.SetSize(sz[0], sz[1])
				out := p.View()
				checkBlock(t, out, sz[0], sz[1])
				golden.RequireEqual(t, out)
			})
		}
	}
}

func codeOf(k string) rune {
	switch k {
	case "down":
		return tea.KeyDown
	case "up":
		return tea.KeyUp
	case "left":
		return tea.KeyLeft
	case "right":
		return tea.KeyRight
	case "enter":
		return tea.KeyEnter
	}
	return []rune(k)[0]
}

// The tree shows what an operator expects: expanding, collapsing back to
// the parent, the filter keeping ancestors, the order by bytes, and the
// hostile payload defanged.
func TestTreePaneKeys(t *testing.T) {
	store := genericStore()
	p := NewTopicsPane(themes.New(themes.Dark), treeKeys(), store.Topics(), store.Now)
	p.SetSize(120, 30)
	p.Focus()
	plain := func() string { return ansi.Strip(p.View()) }
	if got := plain(); !strings.Contains(got, "▸ $SYS") || strings.Contains(got, "kitchen") {
		t.Fatalf("collapsed tree:\n%s", got)
	}
	press := func(ks ...string) {
		for _, k := range ks {
			if len(k) == 1 {
				p.Update(tea.KeyPressMsg{Text: k, Code: rune(k[0])})
			} else {
				p.Update(tea.KeyPressMsg{Code: codeOf(k)})
			}
		}
	}
	press("down", "down", "right") // home
	if got := plain(); !strings.Contains(got, "▸ kitchen") {
		t.Fatalf("home expanded:\n%s", got)
	}
	press("down", "down", "right", "down") // kitchen open, on light
	if s := p.Selection(); s.Topic != "home/kitchen/light" {
		t.Fatalf("selected %q", s.Topic)
	}
	press("left") // a leaf: back to its parent
	if s := p.Selection(); s.Topic != "home/kitchen" {
		t.Fatalf("left on a leaf selected %q", s.Topic)
	}
	press("left") // closes kitchen
	if got := plain(); strings.Contains(got, "light") {
		t.Fatalf("kitchen still open:\n%s", got)
	}
	press("/")
	for _, r := range "EVIL" {
		p.Update(tea.KeyPressMsg{Text: string(r), Code: r})
	}
	press("enter")
	got := plain()
	if !strings.Contains(got, "▾ plant") || !strings.Contains(got, "evil") || strings.Contains(got, "home") {
		t.Fatalf("filter evil:\n%s", got)
	}
	if !strings.Contains(got, "␛]2;pwned␇␛[2J hi") {
		t.Fatalf("hostile payload not defanged:\n%s", got)
	}
	p.ClearFilter()
	press("o", "o") // by bytes
	if got := plain(); !strings.Contains(got, "by bytes") || strings.Index(got, "home") > strings.Index(got, "$SYS") {
		t.Fatalf("by bytes: home first:\n%s", got)
	}
}
