package views

import "charm.land/bubbles/v2/key"

// Keys are the bindings the panes react to. The root's KeyMap declares them
// once and hands them over; panes only read them (ShortHelp, matching).
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
	Ack              key.Binding // events: acknowledge (actions issue)
}

// nav is the movement group every list shows in its full help.
func (k Keys) nav() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}
