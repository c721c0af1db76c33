package console

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/mqdeck/mqdeck/views"
)

// KeyMap declares every key of the console once. Help is generated from it;
// a disabled binding (an action in read-only mode, or not wired yet) leaves
// the help too.
type KeyMap struct {
	Pane views.Keys // keys the focused pane handles

	NextPane, PrevPane key.Binding
	Focus              [PaneCount]key.Binding // 1-7
	Zoom               key.Binding
	Esc                key.Binding // close help/detail, clear filter
	Pause              key.Binding
	Theme              key.Binding
	Retry              key.Binding // reconnect at once; on only with a live client
	Help               key.Binding
	Quit               key.Binding

	// Operator actions: New enables those the platform supports when there
	// is a broker to publish to and the console is not read-only.
	Trigger  key.Binding
	Command  key.Binding
	SetValue key.Binding
	Snapshot key.Binding
	Publish  key.Binding
	// Templates are the command templates of the config file, one binding
	// per key (F1 = setTemperature {"value": 21}), in the order configured.
	Templates []key.Binding
}

// DefaultKeyMap is the key map before any rebinding from the config file.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	off := func(k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(k), key.WithHelp(k, desc), key.WithDisabled())
	}
	km := KeyMap{
		Pane:     views.DefaultKeys(),
		NextPane: b([]string{"tab"}, "tab", "next pane"),
		PrevPane: b([]string{"shift+tab"}, "shift+tab", "previous pane"),
		Zoom:     b([]string{"z"}, "z", "zoom"),
		Esc:      b([]string{"esc"}, "esc", "back/clear"),
		Pause:    b([]string{"space"}, "space", "pause view"),
		Theme:    b([]string{"T"}, "T", "theme"),
		Retry:    off("R", "reconnect now"),
		Help:     b([]string{"?"}, "?", "help"),
		Quit:     b([]string{"q", "ctrl+c"}, "q", "quit"),
		Trigger:  off("t", "trigger event"),
		Command:  off("c", "send command"),
		SetValue: off("s", "set value"),
		Snapshot: off("r", "request snapshot"),
		Publish:  off("P", "publish"),
	}
	for i := range km.Focus {
		n := fmt.Sprint(i + 1)
		km.Focus[i] = b([]string{n}, n, Pane(i).String())
	}
	return km
}

// bindings names every binding for rebinding from the config file.
func (k *KeyMap) bindings() map[string]*key.Binding {
	m := map[string]*key.Binding{
		"up": &k.Pane.Up, "down": &k.Pane.Down, "page-up": &k.Pane.PageUp, "page-down": &k.Pane.PageDown,
		"top": &k.Pane.Top, "bottom": &k.Pane.Bottom, "detail": &k.Pane.Enter, "filter": &k.Pane.Filter,
		"expand": &k.Pane.Expand, "collapse": &k.Pane.Collapse, "order": &k.Pane.Order,
		"scope": &k.Pane.Scope, "hex": &k.Pane.Hex, "ack": &k.Pane.Ack,
		"expand-all": &k.Pane.ExpandAll, "clear-retained": &k.Pane.ClearRetained,
		"copy-topic": &k.Pane.CopyTopic, "copy-payload": &k.Pane.CopyPayload, "plot": &k.Pane.Plot,
		"next-pane": &k.NextPane, "prev-pane": &k.PrevPane, "zoom": &k.Zoom, "back": &k.Esc,
		"pause": &k.Pause, "theme": &k.Theme, "retry": &k.Retry, "help": &k.Help, "quit": &k.Quit,
		"trigger": &k.Trigger, "command": &k.Command, "set": &k.SetValue,
		"snapshot": &k.Snapshot, "publish": &k.Publish,
	}
	for i := range k.Focus {
		m[fmt.Sprintf("pane-%d", i+1)] = &k.Focus[i]
	}
	return m
}

// Actions lists the names Rebind accepts, sorted.
func (k KeyMap) Actions() []string {
	names := make([]string, 0, 40)
	for n := range k.bindings() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Rebind replaces the keys of the named actions (config file `[keys]`,
// e.g. quit = ["q", "ctrl+q"]). The help text follows the first key. An
// unknown action name or an empty key list is an error; nothing changes then.
func (k *KeyMap) Rebind(remap map[string][]string) error {
	all := k.bindings()
	for name, keys := range remap {
		if _, ok := all[name]; !ok {
			return fmt.Errorf("rebind %q: unknown action (known: %s)", name, strings.Join(k.Actions(), ", "))
		}
		if len(keys) == 0 {
			return fmt.Errorf("rebind %q: no keys given", name)
		}
	}
	for name, keys := range remap {
		b := all[name]
		enabled := b.Enabled()
		b.SetKeys(keys...)
		b.SetHelp(keys[0], b.Help().Desc)
		b.SetEnabled(enabled)
	}
	return nil
}

// ShortHelp is the footer's global part.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.NextPane, k.Zoom, k.Pause, k.Help, k.Quit}
}

// FullHelp is the global part of the help screen, one group per column:
// panes, view, actions, and the templates when any are enabled.
func (k KeyMap) FullHelp() [][]key.Binding {
	groups := [][]key.Binding{
		append([]key.Binding{k.NextPane, k.PrevPane}, k.Focus[:]...),
		{k.Zoom, k.Esc, k.Pause, k.Theme, k.Retry, k.Help, k.Quit},
		{k.Trigger, k.Command, k.SetValue, k.Snapshot, k.Publish, k.Pane.Ack},
	}
	var tpl []key.Binding
	for _, t := range k.Templates {
		if t.Enabled() {
			tpl = append(tpl, t)
		}
	}
	if len(tpl) > 0 {
		groups = append(groups, tpl)
	}
	return groups
}

// FullHelpTitles names the groups of FullHelp, in order.
func (k KeyMap) FullHelpTitles() []string {
	return []string{"Panes", "View", "Actions", "Templates"}
}
