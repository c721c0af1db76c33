package views

import "charm.land/bubbles/v2/key"

// Keys are the bindings the panes react to. DefaultKeys declares them once;
// the root's key map holds them (and rebinds them from the config file) and
// hands them over; panes only read them (ShortHelp, matching).
type Keys struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Top, Bottom      key.Binding
	Enter            key.Binding // open the detail of the selection
	Filter           key.Binding // start typing a filter
	Expand, Collapse key.Binding // fleet tree
	Order            key.Binding // events: newest first / by severity
	Scope            key.Binding // telemetry: selected system / all
	Hex              key.Binding // detail: hex dump toggle
	Ack              key.Binding // events: acknowledge (off until the actions enable it)

	// Topic tree (topics pane, tree.go).
	ExpandAll     key.Binding // open a whole subtree
	ClearRetained key.Binding // list, then clear, the retained topics below a node (off until actions are on)
	CopyTopic     key.Binding // copy the topic (OSC 52)
	CopyPayload   key.Binding // copy the last payload (OSC 52)
	Plot          key.Binding // plot a numeric JSON field of the topic
}

// DefaultKeys are the panes' keys before any rebinding.
func DefaultKeys() Keys {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return Keys{
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Top:      b([]string{"g", "home"}, "g", "top"),
		Bottom:   b([]string{"G", "end"}, "G", "bottom"),
		Enter:    b([]string{"enter"}, "enter", "detail"),
		Filter:   b([]string{"/"}, "/", "filter"),
		Expand:   b([]string{"right", "l"}, "→/l", "expand"),
		Collapse: b([]string{"left", "h"}, "←/h", "collapse"),
		Order:    b([]string{"o"}, "o", "order"),
		Scope:    b([]string{"A"}, "A", "all/selected"),
		Hex:      b([]string{"x"}, "x", "hex"),
		Ack:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "acknowledge"), key.WithDisabled()),

		ExpandAll:     b([]string{"*"}, "*", "expand subtree"),
		ClearRetained: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "clear retained"), key.WithDisabled()),
		CopyTopic:     b([]string{"y"}, "y", "copy topic"),
		CopyPayload:   b([]string{"Y"}, "Y", "copy payload"),
		Plot:          b([]string{"p"}, "p", "plot field"),
	}
}

// nav is the movement group every list shows in its full help.
func (k Keys) nav() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}
